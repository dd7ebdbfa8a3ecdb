"""Grading results as typed data, from the worker to the CSV: one notebook, its test cells, their checks.

Written once per graded notebook as JSON (``to_json``) into the run folder and read back
(``from_json``) by the store, the feedback pages and the gradebook; no phase passes dicts around.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

#: notebook statuses: ok, or why it earned nothing
OK, MISSING, INVALID, TIMEOUT, MEMORY, CRASHED = "ok", "missing", "invalid", "timeout", "memory", "crashed"
STATUSES = (OK, MISSING, INVALID, TIMEOUT, MEMORY, CRASHED)
#: test-cell statuses
PASSED, FAILED, PENDING, ERROR, DELETED = "passed", "failed", "pending", "error", "deleted"
COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "status", "flags"]


@dataclass(frozen=True)
class CheckResult:
    check: str
    passed: bool
    message: str = ""
    mistake: str | None = None
    checker_error: bool = False


@dataclass(frozen=True)
class CellResult:
    """One test cell: its points, what it earned, and every check behind that."""

    grade_id: str
    title: str
    points: float
    score: float = 0.0
    status: str = FAILED
    checks: tuple[CheckResult, ...] = ()
    note: str = ""

    @property
    def mistakes(self) -> list[str]:
        return [c.mistake for c in self.checks if c.mistake and not c.passed]


@dataclass(frozen=True)
class NotebookResult:
    student: str
    assignment: str
    notebook: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = OK
    flags: tuple[str, ...] = ()
    message: str = ""
    cells: tuple[CellResult, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    #: case id -> a short hash of what the student's code returned on it (tensors, or the error's type):
    #: identical *wrong* outputs across students are evidence of shared work (similarity review)
    fingerprints: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.student, self.assignment, self.notebook)

    def with_status(self, status: str, message: str) -> NotebookResult:
        """Not graded to the end: no points, whatever the cells say."""
        return replace(self, status=status, message=message, score=0.0)

    def row(self) -> dict[str, str]:
        return {
            "student": self.student,
            "assignment": self.assignment,
            "notebook": self.notebook,
            "score": f"{self.score:g}",
            "max_score": f"{self.max_score:g}",
            "status": self.status,
            "flags": ";".join(self.flags),
        }

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> NotebookResult:
        return from_dict(json.loads(text))


def from_dict(data: dict[str, Any]) -> NotebookResult:
    cells = tuple(
        CellResult(
            c["grade_id"],
            c.get("title", c["grade_id"]),
            float(c["points"]),
            float(c.get("score", 0)),
            c.get("status", FAILED),
            tuple(CheckResult(**k) for k in c.get("checks", ())),
            c.get("note", ""),
        )
        for c in data.get("cells", ())
    )
    return NotebookResult(
        data["student"],
        data["assignment"],
        data["notebook"],
        float(data.get("score", 0)),
        float(data.get("max_score", 0)),
        data.get("status", OK),
        tuple(data.get("flags", ())),
        data.get("message", ""),
        cells,
        dict(data.get("timings", {})),
        dict(data.get("fingerprints", {})),
    )
