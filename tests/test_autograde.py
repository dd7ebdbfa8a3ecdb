"""End-to-end autograding of the recorded sample submissions, with exact expected scores.

One grading run per module (a kernel per notebook is the cost): every sample of every assignment
(tests/samples/), plus submissions that are broken on purpose (not a notebook, a missing notebook,
edited and deleted test cells). The expected scores are written by hand in
tests/samples/expected.csv from the points of the test cells, never read back from a run.
"""
from __future__ import annotations

import csv
import shutil

import nbformat
import pytest

from grader import autograde, samples
from grader.collect import collect
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
EXPECTED = ROOT / "tests" / "samples" / "expected.csv"


def expected_rows() -> list[dict[str, str]]:
    with EXPECTED.open(newline="") as f:
        return sorted(csv.DictReader(f), key=lambda r: (r["student"], r["assignment"], r["notebook"]))


def add_broken_submissions(folder):
    first = folder / "reference" / "01_patchify" / "patchify.ipynb"
    bad = folder / "zz_not_a_notebook" / "01_patchify"
    bad.mkdir(parents=True)
    (bad / "patchify.ipynb").write_text("{ this is not json")
    (folder / "zz_missing_notebook" / "01_patchify").mkdir(parents=True)
    tampered = nbformat.read(first, as_version=4)
    for cell in tampered.cells:
        if samples.grade_id(cell) == "test_patchify":
            cell.source = "pass  # the student emptied the test"
    tampered.cells = [c for c in tampered.cells if samples.grade_id(c) != "test_unpatchify"]
    (folder / "zz_tampered_tests" / "01_patchify").mkdir(parents=True)
    nbformat.write(tampered, folder / "zz_tampered_tests" / "01_patchify" / "patchify.ipynb")
    # layout problems: reported, never graded, never fatal
    (folder / "stray.ipynb").write_text("{}")
    (folder / "reference" / "99_unknown").mkdir()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    samples.write_class(submissions)
    add_broken_submissions(submissions)
    out = tmp_path_factory.mktemp("out")
    run_dir, results, problems = autograde.autograde(submissions, out, progress=False)
    return submissions, out, run_dir, results, problems


def read_csv(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_sample_submissions_get_exactly_the_expected_scores(graded):
    _, out, _, results, _ = graded
    rows = sorted(read_csv(out / "grades.csv"), key=lambda r: (r["student"], r["assignment"], r["notebook"]))
    messages = {(r.student, r.notebook): r.message for r in results}
    assert list(rows[0].keys()) == autograde.COLUMNS
    expected = expected_rows()
    assert {(r["student"], r["assignment"]) for r in rows} == {(r["student"], r["assignment"]) for r in expected}
    for got, want in zip(rows, expected):
        assert got == want, f"{got['student']}: got {got}, expected {want} ({messages.get((got['student'], got['notebook']))})"


def test_layout_problems_are_reported_and_the_rest_graded(graded):
    _, _, _, _, problems = graded
    text = "\n".join(str(p) for p in problems)
    assert "stray.ipynb" in text and "expected a folder per student" in text
    assert "99_unknown" in text and "not an assignment folder" in text


def test_invalid_notebook_message_says_what_to_do(graded):
    _, out, _, results, _ = graded
    (bad,) = [r for r in results if r.student == "zz_not_a_notebook"]
    assert "not a valid Jupyter notebook" in bad.message and "Download" in bad.message
    page = (out / "feedback" / "zz_not_a_notebook" / "01_patchify" / "patchify.html").read_text()
    assert "not a valid Jupyter notebook" in page


def test_feedback_shows_the_diagnosis(graded):
    _, out, _, _, _ = graded
    page = (out / "feedback" / "patchify_column_major" / "01_patchify" / "patchify.html").read_text()
    assert "column-major" in page
    index = (out / "feedback" / "patchify_column_major" / "index.html").read_text()
    assert "01_patchify/patchify" in index


def test_a_rerun_keeps_every_earlier_grade(graded, tmp_path):
    submissions, out, first_run, _, _ = graded
    before = read_csv(out / "grades.csv")
    # a second run grading one student again, with a better notebook, and nobody else
    again = tmp_path / "again"
    shutil.copytree(submissions / "reference", again / "patchify_column_major")
    second_run, results, _ = autograde.autograde(again, out, progress=False)
    assert second_run != first_run and (first_run / "grades.csv").exists()
    assert read_csv(first_run / "grades.csv")  # the first run's sheet is untouched
    after = {(r["student"], r["notebook"]): r for r in read_csv(out / "grades.csv")}
    assert len(after) == len(before)  # nobody dropped
    assert after[("patchify_column_major", "patchify")]["score"] == "10"  # the newest grade wins
    for row in before:
        if row["student"] != "patchify_column_major":
            assert after[(row["student"], row["notebook"])] == row


def test_collect_rejects_unsafe_student_names(tmp_path):
    (tmp_path / "bad name!").mkdir()
    submissions, problems = collect(tmp_path)
    assert not submissions and "rename the folder" in str(problems[0])
