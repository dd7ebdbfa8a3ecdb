"""The checks' data and their one judge: compare a student's outputs with an oracle, say why they differ.

A check has three separable steps, so that grading can keep the student's process away from the
last one:

1. ``inputs``: the checker chooses the inputs (seeded tensors and plain values), outside;
2. ``call``: a function of :mod:`vitlab.harness.calls` calls the student's code on them and keeps
   an :class:`Outcome` (plain tensors, or the error's type, message and line); when grading it runs
   in the sandbox, in JupyterLab in the student's kernel;
3. ``verdict``: a pure function of (inputs, outcome) that computes the expected values with an
   oracle, compares, and on a mismatch names the catalogued mistake the output matches.

Checks and results are data (:class:`Case`, :class:`Mistake`, :class:`Exercise`, :class:`Verdict`);
display is separate (:mod:`vitlab.checks.display`). Exercises live in one registry, by the grade id
of their test cell (:mod:`vitlab.checks.registry`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from vitlab.checks import messages
from vitlab.harness.wire import Inputs, Outcome, Tensors

__all__ = [
    "EXACT",
    "FLOAT32",
    "FLOAT64",
    "Case",
    "Exercise",
    "Inputs",
    "Mistake",
    "Outcome",
    "Scratch",
    "Tensors",
    "Tolerance",
    "Verdict",
    "differences",
    "judge",
    "judged",
    "matches",
    "seeded",
]

Oracle = Callable[[Inputs, Outcome], Tensors]
Call = Callable[[dict[str, Any], Inputs], Tensors]


# --------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Tolerance:
    """One relative/absolute tolerance, stated by each check."""

    rtol: float = 1e-5
    atol: float = 1e-6
    of_largest: float = 0.0  # plus of_largest * max|expected| of the tensor (sums that cancel near 0)

    def __str__(self) -> str:
        extra = f" + {self.of_largest:g} x the largest value" if self.of_largest else ""
        return f"rtol={self.rtol:g}, atol={self.atol:g}{extra}"


EXACT = Tolerance(0.0, 0.0)
FLOAT32 = Tolerance(1e-5, 1e-6)
#: float64 inputs, but constants (a scale, a frequency) may be rounded to float32 by a correct answer:
#: the error that rounding makes is relative to the tensor's largest values, not to each value
FLOAT64 = Tolerance(1e-6, 1e-12, of_largest=1e-6)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    check: str  # "patchify: 3-channel 6x10 images, P=2"
    message: str = ""
    mistake: str | None = None  # the catalogued mistake recognised, if any
    checker_error: bool = False  # the checker itself failed: never the student's fault, never points

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.check}" + (
            f": {self.message}" if self.message else ""
        )


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


Judge = Callable[[str, Inputs, Outcome], "Verdict"]


@dataclass(frozen=True)
class Case:
    """One checker-chosen input and how to judge the student's outputs on it."""

    name: str
    inputs: Callable[[], Inputs]
    expect_error: type[BaseException] | None = None  # e.g. ValueError for a bad patch size
    call: Call | None = None  # another harness call than the exercise's
    judge: Judge | None = None  # replaces the oracle comparison
    #: a known error's diagnosis: (mistake, fix) for an outcome whose code raised, or None
    explain_error: Callable[[Outcome], tuple[str, str] | None] | None = None


@dataclass(frozen=True)
class Scratch:
    """What "from scratch" forbids in an exercise, checked twice: on the code, and while it runs.

    ``names``: what the answer's code may not mention, as full paths (``"torch.nn.functional.unfold"``)
    or as any attribute (``".unfold"``: ``Tensor.unfold`` too); ``call``: the harness call that
    watches the student's function on ``inputs`` (one run per size); ``labels``: the built-ins that
    call reports (in its order); ``sizes``: a label per size; ``loops_over``, ``fix``: for messages.
    """

    names: tuple[str, ...]
    call: Call
    inputs: Callable[[], Inputs]
    labels: tuple[str, ...]
    sizes: tuple[str, ...]
    loops_over: str
    fix: str
    case_name: str = "from scratch (no built-in shortcut, no Python loops)"


@dataclass(frozen=True)
class Exercise:
    """One graded exercise: its test cell's grade id, how to call the student's code, how to judge it."""

    grade_id: str  # the test cell's grade id, e.g. "test_patchify"
    title: str  # what the student sees, e.g. "patchify"
    names: tuple[str, ...]  # the objects the test cell passes, by their names in the notebook
    call: Call  # a function of vitlab.harness.calls
    oracle: Oracle | None
    mistakes: Sequence[Mistake] = ()
    tol: Tolerance = field(default=FLOAT32)
    public: Sequence[Case] = ()
    scratch: Scratch | None = None
    structural: Sequence[str] = ()  # mistakes named by custom judges (not by a Mistake's output)

    def check_name(self, case: Case) -> str:
        return f"{self.title}: {case.name}"

    def verdict(
        self,
        case: Case,
        inputs: Inputs,
        outcome: Outcome,
        *,
        oracle: Oracle | None = None,
        mistakes: Sequence[Mistake] = (),
    ) -> Verdict:
        """The verdict on one case; ``oracle``/``mistakes`` are the grader's (instructor-only) additions."""
        check = self.check_name(case)
        if case.judge is not None:
            return judged(check, inputs, outcome, case.judge, case.expect_error, case.explain_error)
        chosen = oracle or self.oracle
        if chosen is None:
            return Verdict(
                False,
                check,
                messages.checker_failed(LookupError("no oracle for this case")),
                checker_error=True,
            )
        catalogue = [*self.mistakes, *mistakes]
        return judged(
            check,
            inputs,
            outcome,
            lambda c, i, o: compare(c, i, o, chosen, catalogue, self.tol),
            case.expect_error,
            case.explain_error,
        )


# --------------------------------------------------------------------------------------------------
# The one judge wrapper: raised outcomes, expected errors and the checker's own failures, once


class MissingOutput(KeyError):
    """An output the judge needs is not in the outcome: the run handed back less than it should."""


class Outputs(dict):
    """The outcome's tensors; a missing one raises :class:`MissingOutput` (not a checker error)."""

    def __missing__(self, key: str):
        raise MissingOutput(key)


def judged(
    check: str,
    inputs: Inputs,
    outcome: Outcome,
    judge: Judge,
    expect_error: type[BaseException] | None = None,
    explain_error: Callable[[Outcome], tuple[str, str] | None] | None = None,
) -> Verdict:
    if is_stub(outcome):
        return Verdict(False, check, messages.raised(outcome))
    if expect_error is not None:
        if outcome.error_type == expect_error.__name__:
            return Verdict(True, check)
        return Verdict(False, check, messages.expected_error(expect_error.__name__, outcome))
    if outcome.raised:
        named = explain_error(outcome) if explain_error is not None else None
        if named is not None:
            text = messages.mistake(*named) + "\n" + messages.raised(outcome)
            return Verdict(False, check, text, mistake=named[0])
        return Verdict(False, check, messages.raised(outcome))
    try:
        return judge(check, inputs, replace(outcome, tensors=Outputs(outcome.tensors)))
    except MissingOutput as missing:
        return Verdict(False, check, messages.missing_output(str(missing.args[0])))
    except Exception as error:  # a bug of ours must never read as the student's mistake
        return Verdict(False, check, messages.checker_failed(error), checker_error=True)


def is_stub(outcome: Outcome) -> bool:
    """The released stub ran: ``raise NotImplementedError()`` with no message."""
    return outcome.error_type == "NotImplementedError" and not outcome.error_message


def compare(
    check: str, inputs: Inputs, outcome: Outcome, oracle: Oracle, mistakes: Sequence[Mistake], tol: Tolerance
) -> Verdict:
    """Oracle vs outcome; on a mismatch, the catalogued mistake the outcome matches, if any."""
    expected = oracle(inputs, outcome)
    problems = differences(expected, outcome.tensors, tol)
    if not problems:
        return Verdict(True, check)
    for mistake in mistakes:
        try:
            wrong = mistake.produce(inputs, outcome)
        except Exception:  # a mistake that cannot be formed for these outputs simply does not apply
            continue
        if wrong is not None and matches(wrong, outcome.tensors, tol):
            return Verdict(False, check, messages.mistake(mistake.name, mistake.fix), mistake=mistake.name)
    return Verdict(False, check, "expected vs got:\n" + "\n".join(problems))


def differences(
    expected: Tensors,
    got: Tensors,
    tol: Tolerance,
    *,
    check_dtype: bool = True,
    axes: dict[str, Sequence[str]] | None = None,
) -> list[str]:
    """Why ``got`` is not ``expected``: empty when they agree within ``tol``.

    Shapes, dtypes and devices are compared before any arithmetic; values are compared in the
    expected dtype's precision (float64 when either side is float64).
    """
    problems = []
    for key, exp in expected.items():
        act = got.get(key)
        if act is None:
            problems.append(f"{key}: missing")
            continue
        if tuple(act.shape) != tuple(exp.shape):
            problems.append(messages.shape(key, exp.shape, act.shape))
        elif check_dtype and act.dtype != exp.dtype:
            problems.append(messages.dtype(key, exp.dtype, act.dtype))
        elif act.device.type != exp.device.type:
            problems.append(f"{key}: expected a tensor on {exp.device.type}, got one on {act.device.type}")
        else:
            bad = _not_close(exp, act, tol)
            if bad.any():
                problems.append(
                    messages.value_difference(key, exp, act, bad, str(tol), (axes or {}).get(key))
                )
    return problems


def _not_close(expected: torch.Tensor, got: torch.Tensor, tol: Tolerance) -> torch.Tensor:
    if (
        expected.dtype == torch.bool
        or got.dtype == torch.bool
        or not (expected.is_floating_point() or got.is_floating_point())
    ):
        return expected.cpu() != got.cpu()
    exp, act = expected.double().cpu(), got.double().cpu()
    largest = exp.abs().nan_to_num(0.0, 0.0, 0.0).max().item() if exp.numel() and tol.of_largest else 0.0
    return ~torch.isclose(act, exp, rtol=tol.rtol, atol=tol.atol + tol.of_largest * largest, equal_nan=True)


def matches(expected: Tensors, got: Tensors, tol: Tolerance) -> bool:
    return not differences(expected, got, tol, check_dtype=False)


def judge(
    check: str,
    inputs: Inputs,
    outcome: Outcome,
    oracle: Oracle,
    mistakes: Sequence[Mistake] = (),
    tol: Tolerance = FLOAT32,
    expect_error: type[BaseException] | None = None,
) -> Verdict:
    """Step 3 for a one-off check: the verdict from the inputs and the student's outcome only."""
    return judged(
        check, inputs, outcome, lambda c, i, o: compare(c, i, o, oracle, mistakes, tol), expect_error
    )


def require_tensors(outcome: Outcome, *keys: str) -> None:
    """Guard for custom judges: the outputs they read exist (a missing one is a checker error)."""
    missing = [k for k in keys if k not in outcome.tensors]
    if missing:
        raise KeyError(f"the harness returned no {', '.join(missing)}")


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)
