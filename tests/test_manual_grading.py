"""Written answers graded by hand: gradebook in, manual scores and comments out, into grades.csv and feedback.

A generated source notebook asks two written questions (tests/classroom.py); the runs are written by
hand, so no sandbox is needed. The scores are entered with nbgrader's own gradebook API, the calls the
formgrader's grade and comment handlers make (tests/test_manual_grading_e2e.py goes through the real
formgrader over HTTP).
"""

from __future__ import annotations

import csv

import nbformat
import pytest

from grader.autograde import store
from tests import classroom as C

PASSING = [
    C.cell("test_patchify", 4, [C.check("a", True)]),
    C.cell("test_unpatchify", 2, [C.check("b", True)]),
]


def rows(out):
    with (out / "grades.csv").open(newline="") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def enter(out, student, grade_id, score, comment=""):
    """What the formgrader does when the instructor types a score and a comment."""
    from grader.autograde.gradebook import opened

    with opened(out / "gradebook.db") as gb:
        grade = gb.find_grade(grade_id, C.NOTEBOOK, C.ASSIGNMENT, student)
        grade.manual_score = score
        grade.needs_manual_grade = False
        gb.find_comment(grade_id, C.NOTEBOOK, C.ASSIGNMENT, student).manual_comment = comment
        gb.db.commit()


@pytest.fixture
def graded(tmp_path):
    source = C.written_source(tmp_path / "source")
    out = tmp_path / "out"
    answers = {
        "why_patches": "Fewer tokens: attention is quadratic in N.",
        "conv_equivalence": "Shared weights.",
    }
    submitted = {
        ("ann", C.ASSIGNMENT, C.NOTEBOOK): C.with_questions(C.release(), answers),
        ("bob", C.ASSIGNMENT, C.NOTEBOOK): C.with_questions(C.release(), {"why_patches": "Speed."}),
    }
    results = [C.result("ann", PASSING), C.result("bob", PASSING), C.result("cyd", PASSING, status="missing")]
    C.write_run(out, "20261001T000000Z", results, submitted)
    store.rebuild(out, source=source)
    return out, source


def test_written_answers_wait_for_a_manual_grade_and_blank_ones_earn_zero(graded):
    out, _ = graded
    sheet = rows(out)
    assert sheet["ann"]["awaiting_manual"] == "2" and sheet["ann"]["manual_max_score"] == "5"
    assert sheet["bob"]["awaiting_manual"] == "1"  # the blank answer needs no grader: 0 points
    assert sheet["cyd"]["awaiting_manual"] == "0" and sheet["cyd"]["manual_score"] == "0"
    assert sheet["ann"]["raw_score"] == "6"  # the autograded 6 of 6, nothing graded by hand yet


def test_manual_scores_flow_into_the_sheet_and_the_student_page(graded):
    out, source = graded
    enter(out, "ann", "why_patches", 1.5, "Right idea; say why N matters.")
    enter(out, "ann", "conv_equivalence", 3)
    enter(out, "bob", "why_patches", 0.5)
    store.rebuild(out, source=source)
    sheet = rows(out)
    assert (sheet["ann"]["manual_score"], sheet["ann"]["awaiting_manual"]) == ("4.5", "0")
    assert (sheet["ann"]["raw_score"], sheet["ann"]["final_score"]) == ("10.5", "10.5")
    assert (sheet["bob"]["manual_score"], sheet["bob"]["raw_score"]) == ("0.5", "6.5")
    page = (out / "feedback" / "ann" / "index.html").read_text()
    assert "Right idea; say why N matters." in page and "1.5 / 2" in page and "10.5 / 11" in page
    assert "0 / 3: no answer" in (out / "feedback" / "bob" / "index.html").read_text()


def test_a_rebuild_or_a_new_run_never_changes_a_manual_grade(graded):
    out, source = graded
    enter(out, "ann", "why_patches", 2, "Good.")
    better = [
        C.cell("test_patchify", 4, [C.check("a", True)]),
        C.cell("test_unpatchify", 2, [C.check("b", False)]),
    ]
    answers = {"why_patches": "Fewer tokens.", "conv_equivalence": "Shared weights."}
    C.write_run(
        out,
        "20261002T000000Z",
        [C.result("ann", better)],
        {("ann", C.ASSIGNMENT, C.NOTEBOOK): C.with_questions(C.release(), answers)},
    )
    store.rebuild(out, source=source)
    store.rebuild(out, source=source)
    sheet = rows(out)
    assert (sheet["ann"]["score"], sheet["ann"]["manual_score"], sheet["ann"]["awaiting_manual"]) == (
        "4",
        "2",
        "1",
    )
    from grader.autograde.gradebook import opened

    with opened(out / "gradebook.db") as gb:
        assert gb.find_comment("why_patches", C.NOTEBOOK, C.ASSIGNMENT, "ann").manual_comment == "Good."
        assert gb.find_submission(C.ASSIGNMENT, "ann").score == 6  # nbgrader's own total agrees


def test_the_formgrader_copy_takes_points_from_the_source(graded, tmp_path):
    out, source = graded
    tampered = C.with_questions(C.release(), {"why_patches": "x"})
    for cell in tampered.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "why_patches":
            cell.metadata["nbgrader"]["points"] = 100
    C.write_run(
        out, "20261003T000000Z", [C.result("dan", PASSING)], {("dan", C.ASSIGNMENT, C.NOTEBOOK): tampered}
    )
    store.rebuild(out, source=source)
    shown = nbformat.read(out / "autograded" / "dan" / C.ASSIGNMENT / f"{C.NOTEBOOK}.ipynb", as_version=4)
    points = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in shown.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") in C.WRITTEN
    }
    assert points == {"why_patches": 2.0, "conv_equivalence": 3.0}
    assert rows(out)["dan"]["manual_max_score"] == "5"
    assert f"sqlite:///{out.resolve() / 'gradebook.db'}" in (out / "nbgrader_config.py").read_text()


def test_a_run_without_a_copy_of_the_notebook_leaves_the_answers_to_a_person(tmp_path):
    source = C.written_source(tmp_path / "source")
    out = tmp_path / "out"
    C.write_run(out, "20261001T000000Z", [C.result("eve", PASSING)])  # no submitted/ copy in this run
    store.rebuild(out, source=source)
    assert rows(out)["eve"]["awaiting_manual"] == "2" and rows(out)["eve"]["manual_score"] == "0"
