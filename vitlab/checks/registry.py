"""The registry: every exercise of the course, found by the grade id of its test cell.

One module per notebook (``vitlab.checks.patchify`` for ``01_patchify``...) lists its exercises in
``EXERCISES``: how to call the student's code, the public cases, the oracle, the catalogue of
mistakes. The instructor-only package ``instructor`` (never shipped to students, never mounted in
the grader's sandbox) adds, per grade id, hidden cases (``HIDDEN``), oracles that are the
notebook's answer (``ORACLES``) and mistakes written as code (``MISTAKES``).

The test cell (``checks.run("test_patchify", patchify)``), ``make check`` and the grader all ask
this module; nothing else knows which exercises exist.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

from vitlab.checks.core import Case, Exercise, Mistake, Oracle

#: the notebooks' topics, in course order (assignment "01_patchify" has topic "patchify")
TOPICS = ("patchify", "positional_encoding", "attention", "block", "vit", "training", "transfer", "analysis")
INSTRUCTOR_PACKAGE = "instructor"


def topic_of_assignment(assignment: str) -> str:
    return assignment.split("_", 1)[1] if "_" in assignment else assignment


@cache
def module(topic: str) -> ModuleType:
    return importlib.import_module(f"vitlab.checks.{topic}")


def instructor(topic: str) -> ModuleType | None:
    """The instructor's module for ``topic``, or None where it is not installed (a student's copy)."""
    try:
        return importlib.import_module(f"{INSTRUCTOR_PACKAGE}.{topic}")
    except ModuleNotFoundError as error:
        if error.name in (INSTRUCTOR_PACKAGE, f"{INSTRUCTOR_PACKAGE}.{topic}"):
            return None
        raise


def instructor_available() -> bool:
    return importlib.util.find_spec(INSTRUCTOR_PACKAGE) is not None


@cache
def exercises() -> dict[str, Exercise]:
    """grade id -> exercise, over every notebook (a grade id may be used once in the course)."""
    found: dict[str, Exercise] = {}
    for topic in TOPICS:
        for exercise in module(topic).EXERCISES:
            if exercise.grade_id in found:
                raise ValueError(f"grade id {exercise.grade_id} is registered twice")
            found[exercise.grade_id] = exercise
    return found


def topic_of(grade_id: str) -> str:
    for topic in TOPICS:
        if any(e.grade_id == grade_id for e in module(topic).EXERCISES):
            return topic
    raise KeyError(grade_id)


def exercise(grade_id: str) -> Exercise:
    try:
        return exercises()[grade_id]
    except KeyError:
        raise KeyError(
            f"no exercise is registered for the test cell {grade_id!r}; known: {', '.join(exercises())}"
        ) from None


def of_topic(topic: str) -> list[Exercise]:
    return list(module(topic).EXERCISES)


@dataclass(frozen=True)
class Plan:
    """What one test cell is judged by: its cases, and the oracle and mistakes to judge them with."""

    exercise: Exercise
    cases: tuple[Case, ...]
    hidden: bool
    oracle: Oracle | None = None  # instructor-only oracle, used instead of the public one
    mistakes: tuple[Mistake, ...] = field(default_factory=tuple)


def plan(grade_id: str, *, hidden: bool) -> Plan:
    """The public cases (and the from-scratch run), plus the hidden ones when ``hidden``."""
    from vitlab.checks import scratch

    ex = exercise(grade_id)
    cases: list[Case] = list(ex.public)
    if ex.scratch is not None:
        cases.append(scratch.run_case(ex.scratch))
    oracle, mistakes = None, ()
    if hidden:
        private = instructor(topic_of(grade_id))
        if private is None:
            raise RuntimeError(
                f"the hidden cases of {grade_id} need the instructor package '{INSTRUCTOR_PACKAGE}'"
            )
        cases += list(getattr(private, "HIDDEN", {}).get(grade_id, ()))
        oracle = getattr(private, "ORACLES", {}).get(grade_id)
        mistakes = tuple(getattr(private, "MISTAKES", {}).get(grade_id, ()))
    names = [c.name for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{grade_id}: case names used twice: {duplicates}")
    return Plan(ex, tuple(cases), hidden, oracle, mistakes)


def catalogue(topic: str) -> Sequence[str]:
    """Every mistake name the topic's public checks can give (catalogued Mistakes and structural ones)."""
    from vitlab.checks import scratch

    names: list[str] = []
    for ex in of_topic(topic):
        names += [m.name for m in ex.mistakes if m.catalogued]
        names += list(ex.structural)
        if ex.scratch is not None:
            if ex.scratch.names or ex.scratch.labels:  # a loop-only rule names no built-in
                names.append(scratch.BUILT_IN)
            names.append(scratch.PYTHON_LOOP)
    return list(dict.fromkeys(names))
