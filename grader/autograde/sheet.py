"""A row of the grade sheet: one notebook's autograded result, its manual grades, the late policy's decision.

``grades.csv`` has the columns of :data:`COLUMNS`: the autograded ones of every run
(``student,assignment,notebook,score,max_score,status,flags``; ``score`` is the autograded score),
then

* ``manual_score``, ``manual_max_score``: the written answers graded by hand (:mod:`.manual`);
  ``awaiting_manual``: how many answers still wait for a grade (they count 0 until graded);
* ``raw_score`` = score + manual_score, ``penalty`` (points, by the late policy), ``final_score`` =
  raw_score - penalty (never below zero), ``late_by`` (hours after the deadline; empty when unknown),
  ``submitted_at``, ``deadline`` and ``late_note`` (what the policy did, in words).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.autograde.manual import ManualGrade
from grader.autograde.policy import Decision
from grader.autograde.results import COLUMNS as AUTOGRADED
from grader.autograde.results import NotebookResult

COLUMNS = [
    *AUTOGRADED,
    "manual_score",
    "manual_max_score",
    "awaiting_manual",
    "raw_score",
    "penalty",
    "final_score",
    "late_by",
    "submitted_at",
    "deadline",
    "late_note",
]


def _n(value: float) -> str:
    return f"{round(value, 4):g}"


@dataclass(frozen=True)
class GradeRow:
    result: NotebookResult
    manual: tuple[ManualGrade, ...]
    decision: Decision

    @property
    def manual_score(self) -> float:
        return sum(m.score or 0.0 for m in self.manual)

    @property
    def manual_max(self) -> float:
        return sum(m.points for m in self.manual)

    @property
    def raw_score(self) -> float:
        return self.result.score + self.manual_score

    @property
    def max_score(self) -> float:
        return self.result.max_score + self.manual_max

    @property
    def final_score(self) -> float:
        return max(0.0, self.raw_score - self.decision.penalty)

    def row(self) -> dict[str, str]:
        d = self.decision
        return {
            **self.result.row(),
            "manual_score": _n(self.manual_score),
            "manual_max_score": _n(self.manual_max),
            "awaiting_manual": str(sum(m.awaiting for m in self.manual)),
            "raw_score": _n(self.raw_score),
            "penalty": _n(d.penalty),
            "final_score": _n(self.final_score),
            "late_by": d.late_hours,
            "submitted_at": d.submitted_at.isoformat() if d.submitted_at else "",
            "deadline": d.deadline.isoformat() if d.deadline else "",
            "late_note": d.note,
        }
