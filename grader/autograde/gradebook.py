"""The nbgrader gradebook, updated from the trusted results (scores per test cell)."""

from __future__ import annotations

from pathlib import Path

from grader import course
from grader.autograde.results import NotebookResult
from vitlab import cells


def update(db: Path, results: list[NotebookResult]) -> None:
    """Write every graded notebook's cell scores into the nbgrader gradebook at ``db``."""
    import os
    import sys

    bindir = str(Path(sys.executable).parent)  # nbgrader creates the database with this environment's alembic
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    graded = [r for r in results if r.cells or r.status != "ok"]
    if not graded:
        return
    import warnings

    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy notes from nbgrader's own models
    warnings.filterwarnings("ignore", message=".*not in session.*")
    with Gradebook(f"sqlite:///{db}", course_id="vit-from-scratch") as gb:
        for assignment in sorted({r.assignment for r in graded}):
            gb.update_or_create_assignment(assignment)
            for path in course.notebooks(assignment):
                try:
                    gb.find_notebook(path.stem, assignment)
                except MissingEntry:
                    gb.add_notebook(path.stem, assignment)
                for cell in nbformat.read(path, as_version=4).cells:
                    if cells.is_test(cell):
                        gb.update_or_create_grade_cell(
                            cells.grade_id(cell), path.stem, assignment, max_score=cells.points(cell), cell_type="code"
                        )
        for result in graded:
            gb.update_or_create_student(result.student)
            try:
                gb.find_submission(result.assignment, result.student)
            except MissingEntry:
                gb.add_submission(result.assignment, result.student)
            scores = {c.grade_id: c.score for c in result.cells} if result.status == "ok" else {}
            notebook = gb.find_submission_notebook(result.notebook, result.assignment, result.student)
            for grade in notebook.grades:
                grade.auto_score = scores.get(grade.name, 0.0)
                grade.needs_manual_grade = False
        gb.db.commit()
