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

import re
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


#: the input check's typical mistakes, named in every exercise whose case expects an error
ASSERT_FOR_CHECK = "assert used for an input check"
NO_INPUT_CHECK = "no input check"
WRONG_ERROR_TYPE = "another error type raised"
INPUT_CHECK_MISTAKES = (ASSERT_FOR_CHECK, NO_INPUT_CHECK, WRONG_ERROR_TYPE)


def wrong_error(expected: str, outcome: Outcome) -> tuple[str, str]:
    """The mistake behind an outcome that did not raise the ``expected`` error: (name, fix)."""
    check_first = (
        f'check the input first and `raise {expected}("...")` with a message that says what is wrong'
    )
    if not outcome.raised:
        return NO_INPUT_CHECK, check_first
    if outcome.error_type == "AssertionError":
        return ASSERT_FOR_CHECK, f"`assert` is for your own invariants (`python -O` skips it); {check_first}"
    if "raise " in outcome.error_line:
        return WRONG_ERROR_TYPE, (
            f"raise {expected}, the error callers expect for a bad value, instead of {outcome.error_type}"
        )
    return NO_INPUT_CHECK, (
        f"the {outcome.error_type} came from inside your computation, not from a check; {check_first}"
    )


#: errors PyTorch raises for typical mistakes, named in every exercise: (name, a pattern of what the
#: error says, what the line that raised holds, fix)
VIEW_NOT_CONTIGUOUS = "view() on a tensor that permute() or transpose() left non-contiguous"
IN_PLACE_INPUT = "an input changed in place"
FLOAT_SIZE = "a float where a size is needed"
DOT_T = "`.T` on a tensor with more than two axes"
OTHER_DEVICE = "a tensor made on another device"
NUMPY_WITH_GRAD = "a NumPy round trip inside the computation"
LINEAR_NO_BIAS = "a linear layer without bias"
LAYER_MISSING = "a layer the exercise names missing, renamed or of another kind"
SEVERAL_RETURNED = "a list or tuple returned where one tensor is expected"
INTEGER_FOR_FLOAT = "an integer tensor where a floating-point one is needed"
_COMMON_ERRORS: tuple[tuple[str, str, str, str], ...] = (
    (
        LINEAR_NO_BIAS,
        r"keep nn\.Linear's default bias=True",
        "",
        "leave out `bias=False`: the exercise's layers keep nn.Linear's default bias",
    ),
    (
        LAYER_MISSING,
        r"needs self\.\w+|should be an nn\.\w+, but it is",
        "",
        "build the layers under the names and of the kinds the exercise gives (the checks read them)",
    ),
    (
        VIEW_NOT_CONTIGUOUS,
        "view size is not compatible with input tensor's size and stride",
        "",
        "after a transpose or permute the memory is no longer in order: use `.reshape(...)` (or "
        "`.contiguous().view(...)`)",
    ),
    (
        IN_PLACE_INPUT,
        "is being used in an in-place operation",
        "",
        "never change the caller's tensors: write `q = q * scale`, not `q *= scale` (or `q.mul_`)",
    ),
    (
        FLOAT_SIZE,
        r"tuple of ints.*float",
        "",
        "sizes must be ints: divide with `//` (`dim // num_heads`), or wrap the size in `int(...)`",
    ),
    (
        DOT_T,
        "",
        ".T",
        "`.T` reverses every axis; to swap the last two (the keys' d and N) use `k.transpose(-2, -1)`",
    ),
    (
        OTHER_DEVICE,
        "Expected all tensors to be on the same device",
        "",
        "create new tensors where the data lives: `torch.zeros(..., device=x.device)`, `torch.zeros_like`",
    ),
    (
        SEVERAL_RETURNED,
        r"should return one tensor\b.*\b(list|tuple)\b",
        "",
        "return one tensor: `torch.stack(...)` (or `torch.cat(...)`) the pieces into the shape the "
        "exercise asks for",
    ),
    (
        INTEGER_FOR_FLOAT,
        r"only supports floating-point dtypes|not implemented for '(Long|Int)'|but found (Long|Int)\b",
        "",
        "make the tensor floating point (`.float()`, `.to(x.dtype)`, or `torch.arange(..., dtype=x.dtype)`): "
        "integer tensors hold positions and counts, not distances or weights",
    ),
    (
        NUMPY_WITH_GRAD,
        r"Can't call numpy\(\) on Tensor that requires grad",
        "",
        "stay in PyTorch: a NumPy round trip cuts the gradient and leaves the device",
    ),
)
COMMON_ERRORS = tuple(name for name, *_ in _COMMON_ERRORS)


def common_error(outcome: Outcome) -> tuple[str, str] | None:
    """(mistake, fix) for an error PyTorch raises on a typical mistake, whatever the exercise."""
    for name, says, line, fix in _COMMON_ERRORS:
        said = not says or re.search(says, outcome.error_message)
        written = not line or re.search(re.escape(line) + r"\b", outcome.error_line.split(": ", 1)[-1])
        if said and written and (says or line):
            return name, fix
    return None


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
        name, fix = wrong_error(expect_error.__name__, outcome)
        text = messages.mistake(name, fix) + "\n" + messages.expected_error(expect_error.__name__, outcome)
        return Verdict(False, check, text, mistake=name)
    if outcome.raised:
        named = (explain_error(outcome) if explain_error is not None else None) or common_error(outcome)
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


#: shape mistakes named in every exercise: an output of the wrong shape that is one of these away
#: from the asked one (with the right values, where the judge knows them)
TRANSPOSED = "the last two axes swapped"
EXTRA_AXIS = "an extra axis of size 1"
MISSING_AXIS = "an axis of size 1 missing"
WRONG_SHAPE = "the right values in another shape"
FIRST_ITEM_ONLY = "the first axis indexed away (only its first entry computed)"
NOT_AVERAGED = "an axis that should be averaged away kept"
SHAPE_MISTAKES = (TRANSPOSED, EXTRA_AXIS, MISSING_AXIS, WRONG_SHAPE, FIRST_ITEM_ONLY, NOT_AVERAGED)


def shape_mistake(
    name: str,
    want: Sequence[int],
    got: torch.Tensor,
    expected: torch.Tensor | None = None,
    tol: Tolerance = FLOAT32,
) -> tuple[str, str] | None:
    """(mistake, fix) when ``got`` has another shape than ``want`` in a typical way: its last two axes
    swapped, an axis of size 1 added or dropped, or (values known) the right values reshaped, only the
    first entry of the first axis, or an axis kept that should have been averaged away. With
    ``expected`` the values must agree after undoing it; without, the shape alone decides (and the
    values are not claimed)."""
    want, have = tuple(int(n) for n in want), tuple(got.shape)
    if have == want:
        return None
    told = f"`{name}` should have shape {want}, yours has {have}"
    undo: list[tuple[str, Callable[[torch.Tensor], torch.Tensor], str]] = []
    if len(have) == len(want) >= 2 and have[:-2] == want[:-2] and have[-2:] == want[-2:][::-1]:
        undo.append((TRANSPOSED, lambda t: t.transpose(-2, -1), f"{told}: build it in the asked order"))
    extra = [i for i in range(len(have)) if have[i] == 1 and have[:i] + have[i + 1 :] == want]
    if extra:
        i = extra[0]
        undo.append(
            (EXTRA_AXIS, lambda t, i=i: t.squeeze(i), f"{told}: drop the axis of size 1 (`.squeeze({i})`)")
        )
    dropped = [i for i in range(len(want)) if want[i] == 1 and want[:i] + want[i + 1 :] == have]
    if dropped:
        i = dropped[0]
        undo.append(
            (MISSING_AXIS, lambda t, i=i: t.unsqueeze(i), f"{told}: keep the axis of size 1 (`keepdim=True`)")
        )
    if expected is not None and got.numel() == expected.numel():
        undo.append((WRONG_SHAPE, lambda t: t.reshape(want), f"{told}: reshape (or flatten) it"))
    if expected is not None and len(want) >= 2 and have == want[1:] and want[0] > 1:
        # the other entries are filled in from expected: only the first one is compared
        undo.append(
            (
                FIRST_ITEM_ONLY,
                lambda t: torch.cat([t[None], expected[1:].to(t.dtype)]),
                f"{told}: yours holds only what the first of the {want[0]} entries along axis 0 (the batch, "
                "usually) should hold; compute all of them at once (no `[0]`, no code written for one item)",
            )
        )
    kept = [i for i in range(len(have)) if have[i] > 1 and have[:i] + have[i + 1 :] == want]
    for i in kept if expected is not None and got.is_floating_point() else []:
        undo.append(
            (
                NOT_AVERAGED,
                lambda t, i=i: t.mean(dim=i),
                f"{told}: its axis {i} (of size {have[i]}) should be averaged away as well (`.mean(dim=...)` "
                "over every axis the text lists)",
            )
        )
    for mistake, fix, text in undo:
        if expected is None:
            return mistake, text
        try:
            if not _not_close(expected, fix(got), tol).any():
                return mistake, text
        except Exception:  # an undo that cannot apply to these values does not name the mistake
            continue
    return None


def shape_verdict(
    check: str,
    want: dict[str, Sequence[int]],
    got: Tensors,
    *,
    expected: Tensors | None = None,
    note: str = "",
    names: dict[str, str] | None = None,
) -> Verdict:
    """The failing verdict of outputs whose shapes are not ``want``: every wrong shape, and the first
    typical shape mistake (:func:`shape_mistake`) among them named."""
    names = names or {}
    wrong = [key for key in want if tuple(want[key]) != tuple(got[key].shape)]
    text = "\n".join(messages.shape(names.get(k, k), want[k], got[k].shape) for k in wrong) + note
    for key in wrong:
        shaped = shape_mistake(names.get(key, key), want[key], got[key], (expected or {}).get(key))
        if shaped is not None:
            return Verdict(False, check, messages.mistake(*shaped) + "\n" + text, mistake=shaped[0])
    return Verdict(False, check, text)


def compare(
    check: str,
    inputs: Inputs,
    outcome: Outcome,
    oracle: Oracle,
    mistakes: Sequence[Mistake],
    tol: Tolerance,
    axes: dict[str, Sequence[str]] | None = None,
) -> Verdict:
    """Oracle vs outcome; on a mismatch, the catalogued mistake the outcome matches, if any, else a
    typical shape mistake (:func:`shape_mistake`). ``axes`` names each output's axes in the message."""
    expected = oracle(inputs, outcome)
    problems = differences(expected, outcome.tensors, tol, axes=axes)
    if not problems:
        return Verdict(True, check)
    for mistake in mistakes:
        try:
            wrong = mistake.produce(inputs, outcome)
        except Exception:  # a mistake that cannot be formed for these outputs simply does not apply
            continue
        if wrong is not None and matches(wrong, outcome.tensors, tol):
            return Verdict(False, check, messages.mistake(mistake.name, mistake.fix), mistake=mistake.name)
    report = "expected vs got:\n" + "\n".join(problems)
    for key, exp in expected.items():
        act = outcome.tensors.get(key)
        shaped = shape_mistake(key, exp.shape, act, exp, tol) if isinstance(act, torch.Tensor) else None
        if shaped is not None:
            return Verdict(False, check, messages.mistake(*shaped) + "\n" + report, mistake=shaped[0])
    return Verdict(False, check, report)


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
