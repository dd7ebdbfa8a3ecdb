"""How a test cell shows its result: one green line, or the diagnosis without a traceback."""

from __future__ import annotations

from vitlab.checks.session import ExerciseResult


class CheckFailure(AssertionError):
    """Raised by a test cell; IPython shows only the diagnosis (via ``_render_traceback_``)."""

    def __init__(self, result: ExerciseResult):
        self.result = result
        first = result.failures[0]
        self.verdict = first
        super().__init__(f"{first.check}: {result.summary()}")

    def _render_traceback_(self) -> list[str]:
        red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
        lines = [f"{red}{bold}✗ {self.verdict.check}{reset}"]
        lines += [f"  {line}" for line in self.result.summary().splitlines()]
        return lines


def show(result: ExerciseResult) -> None:
    """Print the success line, or raise the diagnosis."""
    if not result.passed:
        raise CheckFailure(result)
    print(f"✓ {result.title}: all {len(result.verdicts)} checks passed.")
