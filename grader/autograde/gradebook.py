"""The nbgrader gradebook: trusted autograded scores written in, manual grades of written answers read out.

Test cells get their scores from the grading results. Written answers (:mod:`.manual`) get a grade cell
that needs a manual grade when the student answered, 0 points when they did not; the manual scores and
comments an instructor enters in nbgrader's formgrader are never changed here, only read back. The late
policy's decisions are written as each submission's timestamp and late penalty, so nbgrader's own
views and exports (``nbgrader export``) agree with ``grades.csv``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

from grader import course
from grader.autograde.manual import ManualGrade, WrittenCell, written_cells
from grader.autograde.results import OK, NotebookResult
from vitlab import cells

COURSE_ID = "vit-from-scratch"
Key = tuple[str, str, str]


_EMPTY: list[Path] = []  # an empty gradebook made once per process: nbgrader runs alembic to make one


def _create(db: Path) -> None:
    from nbgrader.api import Gradebook

    if not _EMPTY or not _EMPTY[0].exists():
        bindir = str(
            Path(sys.executable).parent
        )  # nbgrader stamps a new database with this environment's alembic
        if bindir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
        empty = Path(tempfile.mkdtemp(prefix="vitlab-gradebook-")) / "empty.db"
        with Gradebook(f"sqlite:///{empty}", course_id=COURSE_ID):
            pass
        _EMPTY[:] = [empty]
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_EMPTY[0], db)


@contextmanager
def opened(db: Path) -> Iterator[Any]:
    from nbgrader.api import Gradebook

    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy notes from nbgrader's own models
    warnings.filterwarnings("ignore", message=".*not in session.*")
    if not Path(db).exists():
        _create(Path(db))
    with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gb:
        yield gb


def _cells_of(source: Path, assignment: str) -> dict[str, tuple[list[tuple[str, float]], list[WrittenCell]]]:
    """notebook -> (test cells, written answers) of the source."""
    found = {}
    for path in course.notebooks(assignment, source):
        nb = nbformat.read(path, as_version=4)
        found[path.stem] = (
            [(cells.grade_id(c) or "", cells.points(c)) for c in nb.cells if cells.is_test(c)],
            written_cells(nb),
        )
    return found


def _ensure_rows(gb: Any, notebook: Any) -> None:
    """Grades and comments for cells added to the gradebook after this submission was first recorded."""
    from nbgrader.api import Comment, Grade

    graded = {g.cell_id for g in notebook.grades}
    for cell in notebook.notebook.grade_cells:
        if cell.id not in graded:
            gb.db.add(Grade(cell_id=cell.id, notebook=notebook))
    commented = {c.cell_id for c in notebook.comments}
    for cell in notebook.notebook.solution_cells:
        if cell.id not in commented:
            gb.db.add(Comment(cell_id=cell.id, notebook=notebook))


def update(
    db: Path,
    results: list[NotebookResult],
    source: Path = course.SOLUTIONS,
    answered: Mapping[Key, set[str]] | None = None,
) -> None:
    """Write every graded notebook's cell scores into the nbgrader gradebook at ``db``.

    ``answered``: for each notebook, the written answers the student wrote (the others earn 0 and need no
    manual grade, as nbgrader does for an unchanged answer cell). A graded notebook missing from it (its
    run kept no copy) has every written answer waiting for a manual grade: never a silent zero."""
    from nbgrader.api import MissingEntry

    graded = [r for r in results if r.cells or r.status != OK]
    if not graded:
        return
    answered = answered or {}
    with opened(db) as gb:
        layout = {}
        for assignment in sorted({r.assignment for r in graded}):
            gb.update_or_create_assignment(assignment)
            layout[assignment] = _cells_of(source, assignment)
            for notebook, (tests, written) in layout[assignment].items():
                try:
                    gb.find_notebook(notebook, assignment)
                except MissingEntry:
                    gb.add_notebook(notebook, assignment)
                for gid, points in tests:
                    gb.update_or_create_grade_cell(
                        gid, notebook, assignment, max_score=points, cell_type="code"
                    )
                for cell in written:
                    gb.update_or_create_grade_cell(
                        cell.grade_id, notebook, assignment, max_score=cell.points, cell_type="markdown"
                    )
                    gb.update_or_create_solution_cell(cell.grade_id, notebook, assignment)
        for result in graded:
            gb.update_or_create_student(result.student)
            try:
                gb.find_submission(result.assignment, result.student)
            except MissingEntry:
                gb.add_submission(result.assignment, result.student)
            scores = {c.grade_id: c.score for c in result.cells} if result.status == OK else {}
            _, written = layout[result.assignment].get(result.notebook, ([], []))
            manual = {c.grade_id for c in written}
            wrote = answered.get(result.key, set()) if result.status == OK else set()
            unknown = result.status == OK and result.key not in answered  # no copy kept (a run made before)
            notebook = gb.find_submission_notebook(result.notebook, result.assignment, result.student)
            _ensure_rows(gb, notebook)
            gb.db.flush()
            for grade in notebook.grades:
                if grade.name not in manual:
                    grade.auto_score = scores.get(grade.name, 0.0)
                    grade.needs_manual_grade = False
                elif grade.name in wrote or unknown:  # a human decides; what they decided stays
                    grade.auto_score = None
                    grade.needs_manual_grade = grade.manual_score is None
                else:  # left blank, or the notebook could not be graded: nothing to read
                    grade.auto_score = 0.0
                    grade.needs_manual_grade = False
            for comment in notebook.comments:
                if comment.name in manual and comment.name not in wrote:
                    comment.auto_comment = "No response."
        gb.db.commit()


def manual_grades(
    db: Path, results: list[NotebookResult], source: Path = course.SOLUTIONS
) -> dict[Key, tuple[ManualGrade, ...]]:
    """(student, assignment, notebook) -> its written answers' grades as the gradebook holds them."""
    from nbgrader.api import MissingEntry

    found: dict[Key, tuple[ManualGrade, ...]] = {}
    layouts: dict[str, Any] = {}
    if not Path(db).exists():
        return found
    with opened(db) as gb:
        for result in results:
            if result.assignment not in layouts:
                layouts[result.assignment] = _cells_of(source, result.assignment)
            _, written = layouts[result.assignment].get(result.notebook, ([], []))
            grades = []
            for cell in written:
                try:
                    grade = gb.find_grade(cell.grade_id, result.notebook, result.assignment, result.student)
                except MissingEntry:
                    grades.append(ManualGrade(cell.grade_id, cell.points, None))
                    continue
                try:
                    comment = (
                        gb.find_comment(
                            cell.grade_id, result.notebook, result.assignment, result.student
                        ).manual_comment
                        or ""
                    )
                except MissingEntry:
                    comment = ""
                answered = grade.auto_score is None
                if grade.manual_score is not None:
                    score: float | None = float(grade.manual_score) + float(grade.extra_credit or 0)
                else:
                    score = None if answered else float(grade.auto_score or 0)
                grades.append(ManualGrade(cell.grade_id, cell.points, score, comment, answered))
            found[result.key] = tuple(grades)
    return found


def record_late(
    db: Path, decisions: Mapping[tuple[str, str], tuple[datetime | None, dict[str, float]]]
) -> None:
    """Each submission's time and each notebook's late penalty, as the late policy decided them."""
    from nbgrader.api import MissingEntry

    if not Path(db).exists():
        return
    with opened(db) as gb:
        for (student, assignment), (when, penalties) in decisions.items():
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            submission.timestamp = when.astimezone(UTC).replace(tzinfo=None) if when else None
            for notebook in submission.notebooks:
                notebook.late_submission_penalty = penalties.get(notebook.name, 0.0)
        gb.db.commit()
