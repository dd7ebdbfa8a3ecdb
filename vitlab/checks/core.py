"""The checks library's machinery: compare a student's result with an oracle and say why it differs.

Every check runs in three separable steps, so that grading can run the last one outside the
student's process:

1. ``inputs``  : the checker chooses the inputs (seeded tensors and plain numbers);
2. ``outputs`` : the student's code runs on them; what comes back is an :class:`Outcome` holding only
   plain tensors and, if the code raised, the exception's type, message and line;
3. ``verdict`` : a pure function of (inputs, outcome) that computes the expected values with an
   oracle, compares, and, on a mismatch, names the catalogued mistake the output matches.

Checks and results are data (:class:`Case`, :class:`Mistake`, :class:`Verdict`); display is separate
(:class:`CheckFailure` renders a verdict as a short message instead of a traceback).

When grading, step 3 moves out of the student's process: inside the sandbox :data:`grading` records
each outcome, and the grader replays the test cell on those records (``grader/verdicts.py``).
"""
from __future__ import annotations

import itertools
import os
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

Tensors = dict[str, torch.Tensor]
Inputs = dict[str, Any]  # tensors and plain Python numbers/tuples only


# --------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Tolerance:
    """One relative/absolute tolerance, stated by each check (float64 checks are tighter)."""

    rtol: float = 1e-5
    atol: float = 1e-6

    def __str__(self) -> str:
        return f"rtol={self.rtol:g}, atol={self.atol:g}"


EXACT = Tolerance(0.0, 0.0)
FLOAT32 = Tolerance(1e-5, 1e-6)
FLOAT64 = Tolerance(1e-10, 1e-12)


@dataclass(frozen=True)
class Outcome:
    """What the student's code produced on the checker's inputs: plain tensors, or an error."""

    tensors: Tensors = field(default_factory=dict)
    error_type: str | None = None
    error_message: str = ""
    error_line: str = ""  # "line 7 of your cell: raise NotImplementedError()"

    @property
    def raised(self) -> bool:
        return self.error_type is not None


@dataclass(frozen=True)
class Verdict:
    passed: bool
    check: str  # "patchify: 3-channel 6x10 images, P=2"
    message: str = ""
    mistake: str | None = None  # the catalogued mistake recognised, if any

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.check}" + (f": {self.message}" if self.message else "")


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer, written as code that produces the wrong output from the inputs.

    ``produce(inputs, outcome)`` returns the tensors the mistake would produce (same keys as the
    oracle), or None when the mistake cannot apply to these inputs. It may read the student's own
    outcome (their parameters, say), never the reference solution.
    """

    name: str
    fix: str
    produce: Callable[[Inputs, Outcome], Tensors | None]
    catalogued: bool = True  # False for derived diagnoses ("your patchify is wrong (...)")


@dataclass(frozen=True)
class Case:
    """One checker-chosen input and how to judge the student's outputs on it."""

    name: str
    inputs: Callable[[], Inputs]
    expect_error: type[BaseException] | None = None  # e.g. ValueError for a bad patch size
    run: Callable[[Any, Inputs], Tensors] | None = None  # replaces the exercise's run step
    judge: Callable[[str, Inputs, Outcome], Verdict] | None = None  # replaces the oracle comparison


# --------------------------------------------------------------------------------------------------
# Display: a failure is a diagnosis, not a traceback


class CheckFailure(AssertionError):
    """Raised by a public test; IPython shows only the diagnosis (via ``_render_traceback_``)."""

    def __init__(self, verdict: Verdict):
        super().__init__(f"{verdict.check}: {verdict.message}")
        self.verdict = verdict

    def _render_traceback_(self) -> list[str]:
        red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
        lines = [f"{red}{bold}✗ {self.verdict.check}{reset}"]
        lines += [f"  {line}" for line in self.verdict.message.splitlines()]
        return lines


def report_success(exercise: str, count: int) -> None:
    print(f"✓ {exercise}: all {count} checks passed.")


# --------------------------------------------------------------------------------------------------
# Step 2: run the student's code and keep only plain tensors


def _student_line(error: BaseException) -> str:
    """Where in the student's cell the error happened, as 'line N of your cell: <code>'."""
    frames = traceback.extract_tb(error.__traceback__)
    mine = [f for f in frames if f.filename.startswith("<ipython-input") or "/ipykernel_" in f.filename
            or f.filename.startswith("<cell")]
    frame = mine[-1] if mine else (frames[-1] if frames else None)
    if frame is None:
        return ""
    where = "your cell" if mine else frame.filename.rsplit("/", 1)[-1]
    return f"line {frame.lineno} of {where}: {(frame.line or '').strip()}"


def capture(run: Callable[[], Tensors]) -> Outcome:
    """Run ``run`` (which calls the student's code) and turn whatever happens into an Outcome."""
    try:
        produced = run()
    except Exception as error:  # the student's code may raise anything
        return Outcome(error_type=type(error).__name__, error_message=str(error).strip(),
                       error_line=_student_line(error))
    if not isinstance(produced, Mapping):
        raise TypeError("a check's run step must return a dict of tensors")
    tensors: Tensors = {}
    for key, value in produced.items():
        if not isinstance(value, torch.Tensor):
            return Outcome(error_type="TypeError",
                           error_message=f"{key} should be a torch.Tensor but is a {type(value).__name__}")
        tensors[key] = value.detach()
    return Outcome(tensors=tensors)


# --------------------------------------------------------------------------------------------------
# Step 3: compare and diagnose


def _first_difference(expected: torch.Tensor, got: torch.Tensor, tol: Tolerance) -> str:
    exp, act = expected.double().cpu(), got.double().cpu()
    bad = ~torch.isclose(act, exp, rtol=tol.rtol, atol=tol.atol, equal_nan=True)
    index = tuple(int(i) for i in bad.nonzero()[0]) if bad.any() else ()
    worst = (act - exp).abs().nan_to_num(nan=float("inf")).max().item()
    return (f"{int(bad.sum())} of {bad.numel()} values differ (tolerance {tol}); first at index {index}: "
            f"expected {exp[index].item():.6g}, got {act[index].item():.6g}; largest difference {worst:.3g}")


def differences(expected: Tensors, got: Tensors, tol: Tolerance, *, check_dtype: bool = True) -> list[str]:
    """Why ``got`` is not ``expected``: empty when they agree within ``tol``."""
    problems = []
    for key, exp in expected.items():
        if key not in got:
            problems.append(f"{key}: missing")
            continue
        act = got[key]
        if tuple(act.shape) != tuple(exp.shape):
            problems.append(f"{key}: expected shape {tuple(exp.shape)}, got {tuple(act.shape)}")
        elif check_dtype and act.dtype != exp.dtype:
            problems.append(f"{key}: expected dtype {exp.dtype}, got {act.dtype}")
        elif act.device.type != exp.device.type:
            problems.append(f"{key}: expected a tensor on {exp.device.type}, got one on {act.device.type}")
        elif not torch.allclose(act.double().cpu(), exp.double().cpu(), rtol=tol.rtol, atol=tol.atol,
                                equal_nan=True):
            problems.append(f"{key}: {_first_difference(exp, act, tol)}")
    return problems


def matches(expected: Tensors, got: Tensors, tol: Tolerance) -> bool:
    return not differences(expected, got, tol, check_dtype=False)


def judge(check: str, inputs: Inputs, outcome: Outcome, oracle: Callable[[Inputs, Outcome], Tensors],
          mistakes: Sequence[Mistake] = (), tol: Tolerance = FLOAT32,
          expect_error: type[BaseException] | None = None) -> Verdict:
    """Step 3: the verdict on one case, computed only from the inputs and the student's outcome."""
    if expect_error is not None:
        if outcome.error_type == expect_error.__name__:
            return Verdict(True, check)
        if outcome.raised:
            return Verdict(False, check, f"expected a {expect_error.__name__}, but your code raised "
                                         f"{outcome.error_type}: {outcome.error_message}")
        return Verdict(False, check, f"these inputs are invalid, so your code should raise a "
                                     f"{expect_error.__name__} with a clear message; it returned a result instead.")
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    expected = oracle(inputs, outcome)
    problems = differences(expected, outcome.tensors, tol)
    if not problems:
        return Verdict(True, check)
    for mistake in mistakes:
        wrong = mistake.produce(inputs, outcome)
        if wrong is not None and matches(wrong, outcome.tensors, tol):
            return Verdict(False, check, f"this looks like a typical mistake: {mistake.name}.\nFix: {mistake.fix}",
                           mistake=mistake.name)
    return Verdict(False, check, "expected vs got:\n" + "\n".join(problems))


def describe_error(outcome: Outcome) -> str:
    if outcome.error_type == "NotImplementedError" and not outcome.error_message:
        return ("not implemented yet: replace `raise NotImplementedError()` with your code "
                f"({outcome.error_line})." if outcome.error_line else
                "not implemented yet: replace `raise NotImplementedError()` with your code.")
    where = f"\nat {outcome.error_line}" if outcome.error_line else ""
    return f"your code raised {outcome.error_type}: {outcome.error_message}{where}"


# --------------------------------------------------------------------------------------------------
# The whole check in one process (in JupyterLab; when grading, see `grading` below)


@dataclass(frozen=True)
class Exercise:
    """An exercise's check: how to call the student's code, the oracle and the mistake catalogue."""

    name: str
    run: Callable[[Any, Inputs], Tensors]  # step 2: call the student's code on the inputs
    oracle: Callable[[Inputs, Outcome], Tensors]
    mistakes: Sequence[Mistake] = ()
    tol: Tolerance = FLOAT32

    def outcome(self, case: Case, student: Any, inputs: Inputs) -> Outcome:
        run = case.run or self.run
        return capture(lambda: run(student, inputs))

    def verdict(self, case: Case, inputs: Inputs, outcome: Outcome) -> Verdict:
        check = f"{self.name}: {case.name}"
        if case.judge is not None:
            return case.judge(check, inputs, outcome)
        return judge(check, inputs, outcome, self.oracle, self.mistakes, self.tol, case.expect_error)

    def verdicts(self, student: Any, cases: Sequence[Case]) -> list[Verdict]:
        if grading.replay is not None:  # in the trusted grader: verdicts from the recorded outcomes
            return grading.replay(self, cases)
        results = []
        for case in cases:
            inputs = case.inputs()
            outcome = self.outcome(case, student, inputs)
            grading.record(self, case, outcome)
            results.append(self.verdict(case, inputs, outcome))
        return results


# --------------------------------------------------------------------------------------------------
# Grading out of process: the student's kernel records outcomes, the trusted grader replays them


class _Grading:
    """Two hooks around :meth:`Exercise.verdicts`; both idle in a student's JupyterLab.

    * ``record``: when ``$VITLAB_RECORD_DIR`` is set (the grader sets it inside the sandbox), each
      case's :class:`Outcome` is also written there as one safetensors file (plain tensors, the
      error as text metadata, no pickle), numbered in the order the checks ran.
    * ``replay``: the grader, outside the sandbox, sets a function that answers ``verdicts`` from
      those files instead of calling student code (see ``grader/verdicts.py``).
    """

    ENV = "VITLAB_RECORD_DIR"
    FORMAT = "vitlab-outcome/1"
    MAX_BYTES = 32 * 1024 * 1024  # larger outputs are recorded as an error

    def __init__(self) -> None:
        self.replay: Callable[[Exercise, Sequence[Case]], list[Verdict]] | None = None
        self._counter = itertools.count()

    def record(self, exercise: Exercise, case: Case, outcome: Outcome) -> None:
        folder = os.environ.get(self.ENV)
        if not folder:
            return
        meta = {"format": self.FORMAT, "exercise": exercise.name, "case": case.name,
                "error_type": outcome.error_type or "", "error_message": outcome.error_message[:2000],
                "error_line": outcome.error_line[:500]}
        tensors: dict[str, torch.Tensor] = {}
        try:
            for key, value in outcome.tensors.items():
                tensors[key] = value.detach().to("cpu").contiguous().clone()
            if sum(t.numel() * t.element_size() for t in tensors.values()) > self.MAX_BYTES:
                raise ValueError("the outputs are too large to record")
        except Exception as error:  # meta or sparse tensors, huge outputs: recorded as an error
            tensors = {}
            meta.update(error_type="UnrecordableOutput", error_message=f"{type(error).__name__}: {error}"[:500])
        path = os.path.join(folder, f"{next(self._counter):06d}.safetensors")
        try:
            from safetensors.torch import save_file

            save_file(tensors, path, metadata=meta)
        except Exception:  # a check without a record scores nothing; never break the student's cell
            pass


grading = _Grading()


def require(verdicts: Sequence[Verdict], exercise: str, *, quiet: bool = False) -> None:
    """Raise a CheckFailure for the first failing verdict, else print one success line."""
    for verdict in verdicts:
        if not verdict.passed:
            raise CheckFailure(verdict)
    if not quiet:
        report_success(exercise, len(verdicts))


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)
