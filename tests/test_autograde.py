"""End-to-end autograding of the recorded sample submissions, with exact expected scores.

One grading run per module: every sample of every assignment (tests/samples/), every attack and
legitimate pattern (tests/samples/attacks/), plus submissions that are broken on purpose (not a
notebook, a binary file, a file too large, a missing notebook, edited, deleted and added test
cells) and a student handing in a zip. The expected scores, statuses and flags are written by hand
in tests/samples/*/expected.csv from the points of the test cells, never read back from a run.
Then: a re-run keeps earlier grades, an interrupted run resumes, shards merge into the same sheet
as one run, and zip files with unsafe members are refused member by member.

No outcome depends on the machine's speed: the only time limit an expected status relies on is
hit by an endless loop (CPU time), and honest programs here need a few seconds of the generous limits.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile

import nbformat
import pytest

from grader import samples
from grader.autograde import results as R
from grader.autograde import run as autograde
from grader.autograde import sandbox, sheet, store
from grader.autograde.collect import collect
from grader.autograde.intake import gather
from grader.autograde.sandbox import Limits
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
EXPECTED = sorted((ROOT / "tests" / "samples").glob("*/expected.csv"))
LIMITS = Limits(cpu_seconds=20, wall_seconds=300)  # the endless loop costs 20 s of CPU, not 5 min
#: the resident-memory limit needs a cgroup (root); elsewhere the limit is on address space only
CGROUP = "cgroup" in sandbox.memory_limit_kind(Limits())


#: a comma-separated subset of assignments to grade while working on one notebook (default: all);
#: notebook 1 is always in it: the broken submissions and the attacks are notebook 1 submissions
ONLY = (
    sorted({"01_patchify", *os.environ.get("VITLAB_AUTOGRADE_ASSIGNMENTS", "").split(",")} - {""})
    if (os.environ.get("VITLAB_AUTOGRADE_ASSIGNMENTS"))
    else None
)


def expected_rows() -> list[dict[str, str]]:
    rows = []
    for path in EXPECTED:
        with path.open(newline="") as f:
            rows += list(csv.DictReader(f))
    rows = sorted(rows, key=lambda r: (r["student"], r["assignment"], r["notebook"]))
    return [
        r
        for r in rows
        if (ONLY is None or r["assignment"] in ONLY) and (CGROUP or r["student"] != "attack_memory_touch")
    ]


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
    added = nbformat.read(first, as_version=4)
    bonus = nbformat.v4.new_code_cell("print('free points')")
    bonus.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "bonus",
        "locked": True,
        "points": 100,
        "solution": False,
        "schema_version": 3,
    }
    added.cells.append(bonus)
    (folder / "zz_added_test_cell" / "01_patchify").mkdir(parents=True)
    nbformat.write(added, folder / "zz_added_test_cell" / "01_patchify" / "patchify.ipynb")
    (folder / "zz_binary_file" / "01_patchify").mkdir(parents=True)
    (folder / "zz_binary_file" / "01_patchify" / "patchify.ipynb").write_bytes(bytes(range(256)) * 64)
    (folder / "zz_huge_file" / "01_patchify").mkdir(parents=True)
    (folder / "zz_huge_file" / "01_patchify" / "patchify.ipynb").write_bytes(b" " * (21 * 1024 * 1024))
    with zipfile.ZipFile(folder / "zz_zip_student.zip", "w") as archive:  # as an LMS exports it
        archive.write(first, "notebooks/01_patchify/patchify.ipynb")
    # layout problems: reported, never graded, never fatal
    (folder / "stray.ipynb").write_text("{}")
    (folder / "reference" / "99_unknown").mkdir()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    samples.write_class(submissions, ONLY, attacks=True)
    add_broken_submissions(submissions)
    out = tmp_path_factory.mktemp("out")
    run_dir, results, problems = autograde.autograde(submissions, out, progress=False, limits=LIMITS)
    return submissions, out, run_dir, results, problems


def read_csv(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_sample_submissions_get_exactly_the_expected_scores(graded):
    _, out, _, results, _ = graded
    rows = sorted(read_csv(out / "grades.csv"), key=lambda r: (r["student"], r["assignment"], r["notebook"]))
    rows = [r for r in rows if CGROUP or r["student"] != "attack_memory_touch"]
    messages = {(r.student, r.notebook): r.message for r in results}
    assert list(rows[0].keys()) == sheet.COLUMNS  # the autograded columns first, then manual and late ones
    expected = expected_rows()
    assert {(r["student"], r["assignment"]) for r in rows} == {
        (r["student"], r["assignment"]) for r in expected
    }
    for got, want in zip(rows, expected, strict=True):
        got = {k: got[k] for k in want}  # the columns expected.csv states
        assert got == want, (
            f"{got['student']}: got {got}, expected {want} "
            f"({messages.get((got['student'], got['notebook']))})"
        )


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
    page = (out / "feedback" / "patchify--column_major" / "01_patchify" / "patchify.html").read_text()
    assert "column-major" in page
    index = (out / "feedback" / "patchify--column_major" / "index.html").read_text()
    assert "01_patchify/patchify" in index


def test_a_rerun_keeps_every_earlier_grade(graded, tmp_path):
    submissions, out, first_run, _, _ = graded
    before = read_csv(out / "grades.csv")
    # a second run grading one student again, with a better notebook, and nobody else
    again = tmp_path / "again"
    shutil.copytree(
        submissions / "reference" / "01_patchify", again / "patchify--column_major" / "01_patchify"
    )
    second_run, results, _ = autograde.autograde(again, out, progress=False, limits=LIMITS)
    assert second_run != first_run and (first_run / "grades.csv").exists()
    assert read_csv(first_run / "grades.csv")  # the first run's sheet is untouched
    key = lambda row: (row["student"], row["assignment"], row["notebook"])  # noqa: E731
    after = {key(r): r for r in read_csv(out / "grades.csv")}
    assert list(before[0]) == list(next(iter(after.values())))
    assert len(after) == len(before)  # nobody dropped
    assert after[("patchify--column_major", "01_patchify", "patchify")]["score"] == "10"  # the newest wins
    for row in before:
        if key(row) != ("patchify--column_major", "01_patchify", "patchify"):
            assert after[key(row)] == row


def test_collect_rejects_unsafe_student_names(tmp_path):
    (tmp_path / "bad name!").mkdir()
    submissions, problems = collect(tmp_path)
    assert not submissions and "rename the folder" in str(problems[0])


def test_no_attack_wrote_outside_its_sandbox(graded):
    assert not (ROOT / "vitlab" / "attack_was_here.txt").exists()


def test_feedback_never_shows_what_the_kernel_printed(graded):
    _, out, _, _, _ = graded
    page = (out / "feedback" / "attack_huge_output" / "01_patchify" / "patchify.html").read_text()
    assert "xxxxxxxxxx" not in page and len(page) < 100_000


def test_the_gradebook_holds_the_trusted_scores(graded):
    from nbgrader.api import Gradebook

    _, out, _, _, _ = graded
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", course_id="vit-from-scratch") as gb:
        assert gb.find_submission("01_patchify", "reference").score == 10
        assert gb.find_submission("01_patchify", "attack_allclose_patched").score == 4


def class_of(graded, tmp_path, names):
    submissions, _, _, _, _ = graded
    folder = tmp_path / "class"
    for name in names:
        shutil.copytree(submissions / name, folder / name)
    return folder


def test_shards_merged_give_the_same_sheet_as_one_run(graded, tmp_path):
    _, _, first_run, _, _ = graded
    names = ["reference", "blank", "patchify--column_major", "zz_missing_notebook", "zz_not_a_notebook"]
    folder = class_of(graded, tmp_path, names)
    assert {autograde.in_shard(n, (1, 2)) for n in names} == {True, False}  # both shards hold someone
    shards = [tmp_path / "shard1", tmp_path / "shard2"]
    for k, shard_out in enumerate(shards, 1):
        autograde.autograde(folder, shard_out, progress=False, jobs=1, shard=(k, 2), limits=LIMITS)
    assert store.main([str(tmp_path / "merged"), *map(str, shards)]) == 0
    merged = [{k: r[k] for k in R.COLUMNS} for r in read_csv(tmp_path / "merged" / "grades.csv")]
    single = [r for r in read_csv(first_run / "grades.csv") if r["student"] in names]  # the one run's sheet
    assert sorted(merged, key=lambda r: r["student"]) == sorted(single, key=lambda r: r["student"])
    assert (tmp_path / "merged" / "feedback" / "reference" / "index.html").exists()


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path):
    folder = tmp_path / "class"
    for student in ("ann", "bob", "cyd"):
        (folder / student / "01_patchify").mkdir(parents=True)  # nothing handed in: no kernel needed
    out = tmp_path / "out"
    run_dir, first, _ = autograde.autograde(folder, out, progress=False, limits=LIMITS)
    assert len(first) == 3
    # as if the run had been killed before grading bob and before writing its sheet
    (run_dir / "results" / "bob" / "01_patchify" / "patchify.json").unlink()
    (run_dir / "grades.csv").unlink()
    resumed_dir, resumed, _ = autograde.autograde(folder, out, progress=False, resume=True, limits=LIMITS)
    assert resumed_dir == run_dir and [r.student for r in resumed] == ["bob"]
    assert [r["student"] for r in read_csv(run_dir / "grades.csv")] == ["ann", "bob", "cyd"]
    assert autograde.main([str(folder), str(out), "--resume"]) == 2  # nothing left to resume


def zip_with(path, members: dict[str, bytes], links: tuple[str, ...] = ()):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, "/etc/passwd")


def test_zip_intake_refuses_unsafe_members_one_by_one(tmp_path):
    notebook = (ROOT / "notebooks" / "01_patchify" / "patchify.ipynb").read_bytes()
    folder, staging = tmp_path / "in", tmp_path / "staging"
    folder.mkdir()
    zip_with(
        folder / "amy.zip",
        {
            "../../escape/01_patchify/patchify.ipynb": notebook,
            "/abs/01_patchify/patchify.ipynb": notebook,
            "submission/patchify.ipynb": notebook,
        },
    )  # a bare name is enough
    zip_with(folder / "ben.zip", {}, links=("01_patchify/patchify.ipynb",))
    zip_with(folder / "cal.zip", {"01_patchify/patchify.ipynb": b"{" + b" " * (21 * 1024 * 1024) + b"}"})
    (folder / "dan.zip").write_bytes(b"PK not really a zip")
    zip_with(folder / "bad name!.zip", {"01_patchify/patchify.ipynb": notebook})
    submissions, problems = gather(folder, staging)
    text = "\n".join(str(p) for p in problems)
    assert [(s.student, s.path is not None) for s in submissions] == [("amy", True)]
    assert (staging / "amy" / "01_patchify" / "patchify.ipynb").read_bytes() == notebook
    assert text.count("unsafe path") == 2 and "symbolic link" in text and "too large" in text
    assert "not a readable zip" in text and "name the zip after the student id" in text
    assert not (tmp_path / "escape").exists() and not any(staging.rglob("*escape*"))


def test_zip_bomb_is_read_with_a_cap(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("01_patchify/patchify.ipynb", b"0" * (200 * 1024 * 1024))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "eve.zip").write_bytes(buffer.getvalue())
    submissions, problems = gather(tmp_path / "in", tmp_path / "staging")
    assert not submissions and "too large" in str(problems[0])


def test_results_are_plain_json_with_the_verdicts(graded):
    _, _, run_dir, _, _ = graded
    path = run_dir / "results" / "patchify--column_major" / "01_patchify" / "patchify.json"
    cell = json.loads(path.read_text())["cells"][0]
    assert cell["grade_id"] == "test_patchify" and cell["score"] == 0
    assert any("column-major" in check["message"] for check in cell["checks"])
    assert R.NotebookResult.from_json(path.read_text()).cells[0].status == R.FAILED
    assert os.stat(run_dir / "grades.csv").st_size > 0
