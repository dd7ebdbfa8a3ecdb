"""Every message a check shows, built in one place (and never parsed back out of a string).

A message says what is wrong in the student's terms: the mistake's name and its fix, the error
their code raised and where, or which values differ, by how much, with enough digits to see it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from vitlab.harness.wire import Outcome

NOT_IMPLEMENTED = "not implemented yet"
REPORT = (
    "This is a fault of the checker, not of your code: please tell your instructor (or open an "
    "issue), quoting this message."
)


def recognised(name: str) -> str:
    return f"this looks like a typical mistake: {name}."


def mistake(name: str, fix: str) -> str:
    return f"{recognised(name)}\nFix: {fix}"


class Named(str):
    """A line of diagnosis that recognises a typical mistake: the text, and the mistake's name."""

    mistake: str

    def __new__(cls, text: str, mistake: str) -> Named:
        line = super().__new__(cls, text)
        line.mistake = mistake
        return line

    def __getnewargs__(self) -> tuple[str, str]:
        # copy, deepcopy (dataclasses.asdict) and pickle (process pools) rebuild a str subclass
        # from these arguments: without it they call Named(text) and fail.
        return (str(self), self.mistake)


def first_named(lines: Sequence[str]) -> str | None:
    """The mistake recognised by the first :class:`Named` line, if any."""
    return next((line.mistake for line in lines if isinstance(line, Named)), None)


def raised(outcome: Outcome) -> str:
    """The student's code raised: say what and where (a stub gets 'not implemented yet')."""
    if outcome.error_type == "NotImplementedError" and not outcome.error_message:
        where = f" ({outcome.error_line})" if outcome.error_line else ""
        return f"{NOT_IMPLEMENTED}: replace `raise NotImplementedError()` with your code{where}."
    where = f"\nat {outcome.error_line}" if outcome.error_line else ""
    text = f": {outcome.error_message}" if outcome.error_message else ""
    return f"your code raised {outcome.error_type}{text}{where}"


def expected_error(expected: str, outcome: Outcome) -> str:
    if outcome.raised:
        return f"expected a {expected}, but your code raised {outcome.error_type}: {outcome.error_message}"
    return (
        f"these inputs are invalid, so your code should raise a {expected} with a clear message; "
        "it returned a result instead."
    )


def missing_output(key: str) -> str:
    return (
        f"no '{key}' came back from your code's run: the result was incomplete (did something in your "
        "notebook change how the checks call your code?)"
    )


def checker_failed(error: BaseException) -> str:
    return f"the checker itself failed ({type(error).__name__}: {str(error)[:200]}). {REPORT}"


def number(value: float) -> str:
    """A number with enough digits to tell it from a neighbour (10 significant digits)."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    return f"{value:.10g}"


def index_text(index: Sequence[int], axes: Sequence[str] | None = None) -> str:
    if axes and len(axes) == len(index):
        return ", ".join(f"{a}={i}" for a, i in zip(axes, index, strict=True))
    return str(tuple(index))


def value_difference(
    name: str,
    expected: torch.Tensor,
    got: torch.Tensor,
    bad: torch.Tensor,
    tolerance: str,
    axes: Sequence[str] | None = None,
) -> str:
    """'<name>: 3 of 20 values differ (...); first at (...): expected ..., got ... (relative error ...)'."""
    exp, act = expected.double().cpu(), got.double().cpu()
    index = tuple(int(i) for i in bad.nonzero()[0]) if bad.any() else ()
    e, a = exp[index].item(), act[index].item()
    relative = abs(a - e) / max(abs(e), 1e-300)
    worst = (act - exp).abs().nan_to_num(nan=float("inf")).max().item()
    return (
        f"{name}: {int(bad.sum())} of {bad.numel()} values differ (tolerance {tolerance}); "
        f"first at {index_text(index, axes)}: expected {number(e)}, got {number(a)} "
        f"(relative error {relative:.2g}); largest difference {worst:.3g}"
    )


def shape(name: str, expected: Sequence[int], got: Sequence[int]) -> str:
    return f"{name}: expected shape {tuple(expected)}, got {tuple(got)}"


def dtype(name: str, expected: torch.dtype, got: torch.dtype) -> str:
    return f"{name}: expected dtype {expected}, got {got}"


def several(failures: Sequence[tuple[str, str]]) -> str:
    """Every failing check of a test cell, briefly: the first in full, the others one line each."""
    (_, first_message), rest = failures[0], failures[1:]
    text = f"{first_message}"
    if rest:
        text += "\n\nAlso failing:\n" + "\n".join(
            f"- {check}: {one_line(message)}" for check, message in rest
        )
    return text


def one_line(message: str, width: int = 160) -> str:
    line = " ".join(message.split("\nFix:")[0].split())
    return line if len(line) <= width else line[: width - 1] + "…"
