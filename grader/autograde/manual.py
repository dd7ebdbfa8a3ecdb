"""Written answers graded by hand in nbgrader's formgrader, merged with the autograded scores.

Any markdown cell the source notebook marks as a manually graded answer
(:func:`vitlab.cells.is_written_answer`: nbgrader ``solution`` + ``grade``, with points) takes part:

1. a grading run keeps a copy of each submitted notebook (``runs/<run>/submitted/``, never changed);
2. the rebuild (:func:`grader.autograde.store.rebuild`) writes the newest copy to
   ``OUT/autograded/<student>/<assignment>/<notebook>.ipynb`` with the grade cells' metadata taken
   from the source (as nbgrader's autograde does), creates the written answers' grade cells in
   ``OUT/gradebook.db`` (needing a manual grade when answered, 0 points when left blank) and writes
   ``OUT/nbgrader_config.py``, so that ``make formgrader OUT=...`` opens nbgrader's formgrader on them;
3. the instructor enters scores and comments in the formgrader (nbgrader stores them in the gradebook);
4. the next rebuild reads them back (:func:`grader.autograde.gradebook.manual_grades`) into
   ``grades.csv`` (``manual_score``, ``manual_max_score``, ``awaiting_manual``) and the student's page.

A rebuild never changes a manual score or comment; it only reads them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from grader import course
from vitlab import cells

#: what nbgrader leaves in a written answer's place in the student release
STUB = "YOUR ANSWER HERE"


@dataclass(frozen=True)
class WrittenCell:
    grade_id: str
    points: float


@dataclass(frozen=True)
class ManualGrade:
    """One written answer of one student: what the grader gave it (None: not graded yet) and why."""

    grade_id: str
    points: float
    score: float | None
    comment: str = ""
    answered: bool = True

    @property
    def awaiting(self) -> bool:
        return self.score is None


def source_notebook(assignment: str, notebook: str, source: Path = course.SOLUTIONS) -> nbformat.NotebookNode:
    return nbformat.read(source / assignment / f"{notebook}.ipynb", as_version=4)


def written_cells(nb: nbformat.NotebookNode) -> list[WrittenCell]:
    """The written answers of a source notebook, in order."""
    return [
        WrittenCell(cells.grade_id(c) or f"written-{i}", cells.points(c))
        for i, c in enumerate(nb.cells)
        if cells.is_written_answer(c)
    ]


def answers(nb: Any) -> dict[str, str]:
    """grade id -> the student's text, for every written answer they actually wrote (not the stub)."""
    found = {}
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        gid = cells.grade_id(cell)
        text = cells.source(cell).strip()
        if gid and cell.get("cell_type") == "markdown" and text and text != STUB:
            found[gid] = cells.source(cell)
    return found


def for_formgrader(submitted: nbformat.NotebookNode, source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The submitted notebook as the formgrader shows it: every grade or solution cell's nbgrader metadata
    is the source's (points cannot be changed by editing the metadata), cells the source does not know
    lose theirs."""
    known = {cells.grade_id(c): c for c in source.cells if cells.grade_id(c)}
    shown = copy.deepcopy(submitted)
    for cell in shown.cells:
        gid = cells.grade_id(cell)
        meta = cell.setdefault("metadata", {})
        if gid in known:
            meta["nbgrader"] = copy.deepcopy(dict(known[gid].metadata["nbgrader"]))
        elif "nbgrader" in meta:
            del meta["nbgrader"]
    return shown


CONFIG = '''"""nbgrader configuration of this grading folder: `make formgrader OUT={out}` opens the
formgrader here. Written by every rebuild; edits are overwritten."""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "vit-from-scratch"
c.CourseDirectory.root = {out!r}
c.CourseDirectory.source_directory = {source!r}
c.CourseDirectory.release_directory = {release!r}
c.CourseDirectory.submitted_directory = "autograded"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "nbgrader-feedback"
c.CourseDirectory.db_url = {db!r}
'''


def write_config(out: Path, source: Path = course.SOLUTIONS) -> None:
    from grader.autograde.store import atomic_write

    out = Path(out).resolve()
    atomic_write(
        out / "nbgrader_config.py",
        CONFIG.format(
            out=str(out),
            source=str(Path(source).resolve()),
            release=str(course.RELEASE),
            db=f"sqlite:///{out / 'gradebook.db'}",
        ),
    )
