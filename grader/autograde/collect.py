"""Find the submissions in a folder laid out as <student>/<assignment>/<notebook>.ipynb.

Anything else in the folder becomes a :class:`Problem` saying which path is wrong and what to do;
it never stops the other submissions from being graded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader import course

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
IGNORED = {".ipynb_checkpoints", "__MACOSX", ".DS_Store", "feedback", "timestamp.txt"}


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: str
    notebook: str  # notebook name without .ipynb
    path: Path | None  # None: the student submitted the assignment but not this notebook

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.student, self.assignment, self.notebook)


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def expected_notebooks() -> dict[str, list[str]]:
    """Assignment -> names of its notebooks, from the source of truth."""
    return {a: [p.stem for p in course.notebooks(a)] for a in course.assignments()}


def collect(folder: Path) -> tuple[list[Submission], list[Problem]]:
    folder = Path(folder)
    if not folder.is_dir():
        return [], [
            Problem(
                folder,
                "is not a folder; pass SUBMISSIONS=<folder of <student>/<assignment>/<notebook>.ipynb>",
            )
        ]
    expected = expected_notebooks()
    submissions: list[Submission] = []
    problems: list[Problem] = []
    for student_dir in sorted(folder.iterdir()):
        if student_dir.name in IGNORED or student_dir.name.startswith("."):
            continue
        if not student_dir.is_dir() or student_dir.is_symlink():
            problems.append(
                Problem(
                    student_dir,
                    "expected a folder per student (<student>/<assignment>/<notebook>."
                    "ipynb); move this file into its student's folder",
                )
            )
            continue
        if not SAFE_ID.match(student_dir.name):
            problems.append(
                Problem(
                    student_dir,
                    "student ids may use letters, digits, '.', '_', '-' and '@' only; rename the folder",
                )
            )
            continue
        for assignment_dir in sorted(student_dir.iterdir()):
            if assignment_dir.name in IGNORED or assignment_dir.name.startswith("."):
                continue
            if (
                assignment_dir.name not in expected
                or not assignment_dir.is_dir()
                or assignment_dir.is_symlink()
            ):
                problems.append(
                    Problem(
                        assignment_dir,
                        f"not an assignment folder; expected one of "
                        f"{', '.join(expected)} holding the notebook(s)",
                    )
                )
                continue
            names = expected[assignment_dir.name]
            for extra in sorted(assignment_dir.iterdir()):
                if extra.suffix == ".ipynb" and extra.stem not in names:
                    problems.append(
                        Problem(
                            extra,
                            f"unknown notebook for {assignment_dir.name}; expected "
                            f"{', '.join(n + '.ipynb' for n in names)}",
                        )
                    )
            for name in names:
                path = assignment_dir / f"{name}.ipynb"
                usable = path.is_file() and not path.is_symlink()
                submissions.append(
                    Submission(student_dir.name, assignment_dir.name, name, path if usable else None)
                )
    return submissions, problems
