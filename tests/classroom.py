"""A class built in memory for the instructor-side tests: typed results, run folders, written answers.

Nothing here grades anything: results are :class:`NotebookResult` objects written by hand, laid out in
run folders exactly as a grading run writes them (``store.write_result``), so the sheet, the exports,
the report and the similarity review can be tested in milliseconds. One real grading run
(tests/test_manual_grading_e2e.py, tests/test_slurm.py) checks the same views on real results.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

from grader.autograde import results as R
from grader.autograde import store, timestamps
from tests.conftest import ROOT
from vitlab import cells

ASSIGNMENT, NOTEBOOK = "01_patchify", "patchify"
#: the written questions of the generated source notebook: grade id -> (points, question, model answer)
WRITTEN = {
    "why_patches": (
        2.0,
        "Why does a ViT cut the image into patches instead of using pixels as tokens?",
        "Attention costs grow with the square of the number of tokens; 16x16 patches keep N small.",
    ),
    "conv_equivalence": (
        3.0,
        "Why is the patch embedding a convolution with stride equal to the kernel?",
        "Each output position sees exactly one patch, and the same linear map is shared.",
    ),
}


def written_cell(grade_id: str, text: str, points: float) -> nbformat.NotebookNode:
    """A markdown answer cell graded by hand, with nbgrader's metadata."""
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "solution": True,
        "locked": False,
        "points": points,
        "grade_id": grade_id,
        "schema_version": 3,
    }
    return cell


def with_questions(nb: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """``nb`` with a question and an answer cell per written question appended (the answer's text given)."""
    nb = copy.deepcopy(nb)
    for gid, (points, question, _) in WRITTEN.items():
        nb.cells.append(nbformat.v4.new_markdown_cell(f"**Question.** {question}"))
        nb.cells.append(written_cell(gid, answers.get(gid, "YOUR ANSWER HERE"), points))
    return nb


def without_written(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` without its own written questions: the tests ask the questions of :data:`WRITTEN` only."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not cells.is_written_answer(c)]
    return nb


def written_source(folder: Path) -> Path:
    """A source folder like solutions/ whose notebook 1 asks the written questions of :data:`WRITTEN`
    (model answers in) instead of its own."""
    nb = without_written(nbformat.read(ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4))
    nb = with_questions(nb, {gid: model for gid, (_, _, model) in WRITTEN.items()})
    target = folder / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return folder


def layout(assignment: str = ASSIGNMENT) -> list[tuple[str, float]]:
    """(grade id, points) of every test cell of an assignment's source notebook, read from its metadata."""
    found = []
    for path in sorted((ROOT / "solutions" / assignment).glob("*.ipynb")):
        for c in nbformat.read(path, as_version=4).cells:
            meta = c.metadata.get("nbgrader", {})
            if c.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                found.append((meta["grade_id"], float(meta.get("points", 0))))
    return found


def written_points(assignment: str = ASSIGNMENT) -> float:
    """The points of the written answers (graded by hand) of an assignment's source notebook."""
    return sum(
        cells.points(c)
        for path in sorted((ROOT / "solutions" / assignment).glob("*.ipynb"))
        for c in nbformat.read(path, as_version=4).cells
        if cells.is_written_answer(c)
    )


def graded(assignment: str = ASSIGNMENT, failing: dict[str, str] | None = None) -> list[R.CellResult]:
    """Every test cell of the assignment, passing except those in ``failing`` (grade id -> mistake)."""
    failing = failing or {}
    return [
        cell(gid, points, [check(f"{gid}: case 1", gid not in failing, failing.get(gid))])
        for gid, points in layout(assignment)
    ]


def release() -> nbformat.NotebookNode:
    """Notebook 1's release without its own written questions (see :func:`written_source`)."""
    return without_written(nbformat.read(ROOT / "notebooks" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4))


def check(name: str, passed: bool, mistake: str | None = None) -> R.CheckResult:
    return R.CheckResult(name, passed, "" if passed else f"wrong: {mistake or 'values differ'}", mistake)


def cell(grade_id: str, points: float, checks: list[R.CheckResult], title: str | None = None) -> R.CellResult:
    passed = all(c.passed for c in checks)
    return R.CellResult(
        grade_id,
        title or grade_id,
        points,
        points if passed else 0.0,
        R.PASSED if passed else R.FAILED,
        tuple(checks),
    )


def result(
    student: str,
    cells: list[R.CellResult] = (),
    *,
    assignment: str = ASSIGNMENT,
    notebook: str = NOTEBOOK,
    status: str = R.OK,
    flags: tuple[str, ...] = (),
    fingerprints: dict[str, str] | None = None,
    seconds: float = 1.5,
) -> R.NotebookResult:
    cells = tuple(cells)
    score = sum(c.score for c in cells) if status == R.OK else 0.0
    return R.NotebookResult(
        student,
        assignment,
        notebook,
        score,
        sum(c.points for c in cells),
        status,
        flags,
        "" if status == R.OK else f"the notebook ended as {status}",
        cells,
        {"total": seconds, "sandbox": seconds / 2},
        fingerprints or {},
    )


def write_run(
    out: Path,
    run_id: str,
    results: list[R.NotebookResult],
    submitted: dict[tuple[str, str, str], nbformat.NotebookNode] | None = None,
    times: dict[str, timestamps.SubmissionTime] | None = None,
) -> Path:
    """A finished run folder, as ``grader.autograde.run`` leaves it."""
    run_dir = out / "runs" / run_id
    for r in results:
        store.write_result(run_dir, r, f"<p>{r.student}</p>")
        nb = (submitted or {}).get(r.key)
        if nb is not None:
            path = run_dir / "submitted" / r.student / r.assignment / f"{r.notebook}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
    timestamps.record(run_dir, times or {})
    store.write_csv(run_dir / "grades.csv", [r.row() for r in results])
    (run_dir / "manifest.json").write_text(json.dumps({"submissions": "synthetic"}))
    return run_dir
