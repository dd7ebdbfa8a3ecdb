"""Judging exercises: make the inputs, hand them to a run of the student's code, judge what came back.

The same functions serve the three places a check runs:

* a test cell in JupyterLab (:func:`in_process`): the calls run in the student's kernel;
* ``make check`` and the grader (:func:`calls_for` then :func:`judge_outcomes`): the calls run in
  another process (sandboxed when grading) from a job file, and the verdicts are computed here,
  from the outputs file only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vitlab.checks import messages, registry, scratch
from vitlab.checks.core import Case, Verdict
from vitlab.harness.runner import capture
from vitlab.harness.wire import CaseCall, Inputs, Outcome

PASSED, PENDING, FAILED, ERROR = "passed", "pending", "failed", "error"
NO_OUTPUT = (
    "no output came back for this check: your program stopped the checks before they got here "
    "(an error earlier in your notebook, or code that interfered with them)"
)


def call_name(function: Any) -> str:
    return f"{function.__module__}:{function.__name__}"


@dataclass(frozen=True)
class Planned:
    """One case of one exercise, with the inputs made for it."""

    plan: registry.Plan
    case: Case
    case_id: str
    inputs: Inputs

    def call(self) -> CaseCall:
        function = self.case.call or self.plan.exercise.call
        return CaseCall(self.case_id, call_name(function), self.plan.exercise.names, self.inputs)


def planned(plan: registry.Plan) -> list[Planned]:
    return [
        Planned(plan, case, f"{plan.exercise.grade_id}/{i}", case.inputs())
        for i, case in enumerate(plan.cases)
    ]


def verdict(item: Planned, outcome: Outcome | None) -> Verdict:
    ex = item.plan.exercise
    if outcome is None:
        return Verdict(False, ex.check_name(item.case), NO_OUTPUT)
    return ex.verdict(item.case, item.inputs, outcome, oracle=item.plan.oracle, mistakes=item.plan.mistakes)


@dataclass(frozen=True)
class ExerciseResult:
    """Every verdict on one exercise (one test cell), and what they add up to."""

    grade_id: str
    title: str
    verdicts: tuple[Verdict, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return bool(self.verdicts) and all(v.passed for v in self.verdicts)

    @property
    def status(self) -> str:
        if self.passed:
            return PASSED
        if any(v.checker_error for v in self.verdicts):
            return ERROR
        failing = [v for v in self.verdicts if not v.passed]
        if failing and all(v.message.startswith(messages.NOT_IMPLEMENTED) for v in failing):
            return PENDING
        return FAILED

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.passed]

    def summary(self) -> str:
        """The diagnosis: every failing check, the first in full."""
        failing = self.failures
        if not failing:
            return ""
        return messages.several([(v.check, v.message) for v in failing])


# --------------------------------------------------------------------------------------------------
# In the student's kernel


def hidden_here() -> bool:
    """Run the hidden cases in test cells too: only where the instructor package is installed (the
    instructor's own checkout, nbval and mutation testing of solutions/), unless VITLAB_HIDDEN=0."""
    return os.environ.get("VITLAB_HIDDEN", "1") != "0" and registry.instructor_available()


def in_process(grade_id: str, objects: Sequence[Any], *, hidden: bool | None = None) -> ExerciseResult:
    """A test cell in JupyterLab: the public cases called here, judged here (and the hidden ones in
    the instructor's checkout, see :func:`hidden_here`)."""
    plan = registry.plan(grade_id, hidden=hidden_here() if hidden is None else hidden)
    ex = plan.exercise
    if len(objects) != len(ex.names):
        raise TypeError(
            f"checks.run({grade_id!r}, ...) takes {len(ex.names)} object(s): {', '.join(ex.names)}"
        )
    named = dict(zip(ex.names, objects, strict=True))
    verdicts = []
    for item in planned(plan):
        function = item.case.call or ex.call
        outcome = capture(lambda f=function, i=item: f(named, i.inputs))
        verdicts.append(verdict(item, outcome))
    code = scratch.lab_code_verdict(ex, named)
    if code is not None:
        verdicts.append(code)
    return ExerciseResult(grade_id, ex.title, tuple(verdicts))


# --------------------------------------------------------------------------------------------------
# Out of process (make check, the grader)


@dataclass(frozen=True)
class NotebookPlan:
    """Every case of every exercise of one notebook, with its inputs: the job's content."""

    items: tuple[Planned, ...]
    grade_ids: tuple[str, ...]

    def calls(self) -> list[CaseCall]:
        return [item.call() for item in self.items]


def plan_notebook(grade_ids: Sequence[str], *, hidden: bool) -> NotebookPlan:
    items: list[Planned] = []
    known = [g for g in grade_ids if g in registry.exercises()]
    for grade_id in known:
        items += planned(registry.plan(grade_id, hidden=hidden))
    return NotebookPlan(tuple(items), tuple(known))


def judge_outcomes(
    notebook: NotebookPlan,
    outcomes: Mapping[str, Outcome],
    student_cells: Sequence[tuple[str, str]] = (),
    setup_sources: Sequence[str] = (),
) -> dict[str, ExerciseResult]:
    """grade id -> result, from the outcomes a run handed back (and the code, for from-scratch)."""
    by_grade: dict[str, list[Verdict]] = {g: [] for g in notebook.grade_ids}
    titles: dict[str, str] = {}
    for item in notebook.items:
        ex = item.plan.exercise
        titles[ex.grade_id] = ex.title
        by_grade[ex.grade_id].append(verdict(item, outcomes.get(item.case_id)))
    for grade_id in notebook.grade_ids:
        ex = registry.exercise(grade_id)
        titles[grade_id] = ex.title
        if ex.scratch is not None:
            found = scratch.code_violations(ex.scratch, student_cells, ex.names, setup_sources)
            by_grade[grade_id].append(scratch.code_verdict(ex, found))
    return {g: ExerciseResult(g, titles[g], tuple(v)) for g, v in by_grade.items()}
