"""LMS exports: each file checked against its format's documented columns and fields, from a generated class.

Canvas's gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section`` then one column per
assignment (``Name (id)`` matches an existing one), an optional ``Points Possible`` row. Moodle's grade
import: a user identifier column, then grade (and feedback) columns mapped at import. Gradescope's
autograder ``results.json``: ``score``, ``execution_time``, ``output``, ``visibility``, ``tests`` of
``{name, score, max_score, status, output, visibility}``. Expected scores are worked out by hand below.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from grader.autograde import exports, store
from grader.autograde.timestamps import NBGRADER, SubmissionTime
from tests import classroom as C
from tests.conftest import ROOT

POLICY = """[deadlines]\n01_patchify = 2026-10-05T12:00:00Z\n[penalty]\npercent_per_day = 10\n"""
ROSTER = (
    "student,name,email,canvas_id,sis_user_id,sis_login_id,section\namy,Amy Ng,amy@uni.example,501,S1,amy,A\n"
)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    out = folder / "out"
    full, half = C.graded(), C.graded(failing={"test_patchify": "column-major patches"})
    attention = C.graded("03_attention")
    results = [
        C.result("amy", full),
        C.result("bob", full),
        C.result("cyd", half),
        C.result("amy", attention, assignment="03_attention", notebook="attention"),
    ]
    times = {
        "bob/01_patchify": SubmissionTime(datetime(2026, 10, 6, 9, 0, tzinfo=UTC).isoformat(), NBGRADER),
        "amy/01_patchify": SubmissionTime(datetime(2026, 10, 5, 11, 0, tzinfo=UTC).isoformat(), NBGRADER),
    }
    C.write_run(out, "20261010T000000Z", results, times=times)
    (folder / "late.toml").write_text(POLICY)
    (folder / "roster.csv").write_text(ROSTER)
    assert store.main([str(out), "--policy", str(folder / "late.toml")]) == 0
    assert (
        exports.main(
            [
                str(out),
                "--roster",
                str(folder / "roster.csv"),
                "--policy",
                str(folder / "late.toml"),
                "--canvas-assignment",
                "01_patchify=12345",
            ]
        )
        == 0
    )
    return out


#: the points of the source notebooks, from their metadata: autograded maxima, written answers (graded by
#: hand, still awaited in these runs) and what failing test_patchify costs
AUTO_PATCHIFY = sum(p for _, p in C.layout())
AUTO_ATTENTION = sum(p for _, p in C.layout("03_attention"))
PATCHIFY = AUTO_PATCHIFY + C.written_points()
ATTENTION = AUTO_ATTENTION + C.written_points("03_attention")
FIRST = dict(C.layout())["test_patchify"]


def n(value):
    return f"{value:g}"


def read(path):
    with path.open(newline="") as f:
        return list(csv.reader(f))


def test_canvas_csv_has_the_import_columns_and_one_column_per_assignment(out):
    table = read(out / "export" / "canvas.csv")
    assert table[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "01_patchify (12345)",
        "03_attention",
    ]
    assert table[1][0].strip() == "Points Possible" and table[1][5:] == [n(PATCHIFY), n(ATTENTION)]
    rows = {r[3]: r for r in table[2:]}
    assert rows["amy"] == ["Amy Ng", "501", "S1", "amy", "A", n(AUTO_PATCHIFY), n(AUTO_ATTENTION)]  # on time
    assert rows["bob"][5:] == [
        n(AUTO_PATCHIFY - 0.1 * PATCHIFY),
        "",
    ]  # 21 h late: one day, 10% of the maximum; no notebook 3
    assert rows["cyd"][5:] == [
        n(AUTO_PATCHIFY - FIRST),
        "",
    ]  # test_patchify failed; no time, no deadline applies


def test_moodle_csv_has_an_identifier_and_a_grade_and_feedback_column_per_assignment(out):
    table = read(out / "export" / "moodle.csv")
    assert table[0] == [
        "Username",
        "Full name",
        "Email address",
        "01_patchify",
        "01_patchify feedback",
        "03_attention",
        "03_attention feedback",
    ]
    rows = {r[0]: r for r in table[1:]}
    assert rows["amy"][:5] == ["amy", "Amy Ng", "amy@uni.example", n(AUTO_PATCHIFY), ""]
    assert (
        rows["bob"][3] == n(AUTO_PATCHIFY - 0.1 * PATCHIFY) and "day(s) after the deadline" in rows["bob"][4]
    )


def test_gradescope_results_follow_the_autograder_specification(out):
    folder = out / "export" / "gradescope"
    assert {p.parent.name for p in folder.glob("01_patchify/*/results.json")} == {"amy", "bob", "cyd"}
    results = json.loads((folder / "01_patchify" / "cyd" / "results.json").read_text())
    assert set(results) >= {"score", "execution_time", "output", "visibility", "tests"}
    assert (
        results["score"] == AUTO_PATCHIFY - FIRST and results["visibility"] in exports.GRADESCOPE_VISIBILITY
    )
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed") and test["visibility"] in exports.GRADESCOPE_VISIBILITY
    first = results["tests"][0]
    assert (first["score"], first["max_score"], first["status"]) == (0, FIRST, "failed")
    assert "column-major patches" in first["output"]
    late = json.loads((folder / "01_patchify" / "bob" / "results.json").read_text())
    assert (
        late["score"] == pytest.approx(AUTO_PATCHIFY - 0.1 * PATCHIFY)
        and sum(t["score"] for t in late["tests"]) == AUTO_PATCHIFY
    )
    assert f"Late penalty: -{n(0.1 * PATCHIFY)}" in late["output"]


def test_nbgraders_own_export_command_writes_the_same_canvas_file(out, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    target = tmp_path / "canvas.csv"
    command = [
        str(ROOT / ".venv" / "bin" / "nbgrader"),
        "export",
        "--exporter=grader.autograde.exports.CanvasExport",
        f"--to={target}",
        f"--CanvasExport.roster={out.parent / 'roster.csv'}",
        "--CanvasExport.canvas_ids=01_patchify=12345",
    ]
    if not os.path.exists(command[0]):
        command[0:1] = [sys.executable, "-m", "nbgrader"]
    done = subprocess.run(command, cwd=out, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert target.read_text() == (out / "export" / "canvas.csv").read_text()


class FakeCanvas(requests.adapters.BaseAdapter):
    """Canvas's REST API at the HTTP boundary: canvasapi and requests above it run unchanged."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def send(self, request, **kwargs):
        url = urlparse(request.url)
        self.calls.append((request.method, url.path, request.body, request.headers.get("Authorization")))
        routes = {
            ("GET", "/api/v1/courses/7"): {"id": 7, "name": "ViT from Scratch"},
            ("GET", "/api/v1/courses/7/assignments"): [
                {"id": 11, "name": "01_patchify", "course_id": 7},
                {"id": 12, "name": "03_attention", "course_id": 7},
            ],
            ("GET", "/api/v1/courses/7/assignments/11"): {"id": 11, "name": "01_patchify", "course_id": 7},
            ("GET", "/api/v1/courses/7/assignments/12"): {"id": 12, "name": "03_attention", "course_id": 7},
            ("POST", "/api/v1/courses/7/assignments/11/submissions/update_grades"): {
                "id": 1,
                "workflow_state": "queued",
            },
            ("POST", "/api/v1/courses/7/assignments/12/submissions/update_grades"): {
                "id": 2,
                "workflow_state": "queued",
            },
        }
        response = requests.Response()
        response.request, response.url = request, request.url
        body = routes.get((request.method, url.path))
        response.status_code = 200 if body is not None else 404
        response.headers["Content-Type"] = "application/json"
        response.raw = io.BytesIO(json.dumps(body if body is not None else {"errors": "not found"}).encode())
        return response

    def close(self):
        pass


def test_canvas_upload_posts_every_grade_through_canvasapi(out, monkeypatch, capsys):
    fake = FakeCanvas()
    monkeypatch.setattr(
        requests.Session, "get_adapter", lambda self, url: fake
    )  # no request leaves the process
    monkeypatch.setenv("CANVAS_URL", "https://canvas.example.edu")
    monkeypatch.setenv("CANVAS_TOKEN", "secret-token")
    assert (
        exports.main(
            [
                str(out),
                "--roster",
                str(out.parent / "roster.csv"),
                "--policy",
                str(out.parent / "late.toml"),
                "--upload-canvas",
                "--canvas-course",
                "7",
            ]
        )
        == 0
    )
    posts = {path: parse_qs(body) for method, path, body, _ in fake.calls if method == "POST"}
    patchify = posts["/api/v1/courses/7/assignments/11/submissions/update_grades"]
    assert patchify == {
        "grade_data[501][posted_grade]": [n(AUTO_PATCHIFY)],
        "grade_data[sis_login_id:bob][posted_grade]": [n(AUTO_PATCHIFY - 0.1 * PATCHIFY)],
        "grade_data[sis_login_id:cyd][posted_grade]": [n(AUTO_PATCHIFY - FIRST)],
    }
    assert posts["/api/v1/courses/7/assignments/12/submissions/update_grades"] == {
        "grade_data[501][posted_grade]": [n(AUTO_ATTENTION)]
    }
    assert {auth for *_, auth in fake.calls} == {"Bearer secret-token"}
    assert "01_patchify: 3 grade(s) sent to Canvas" in capsys.readouterr().out


def test_canvas_upload_without_a_token_says_what_is_missing(out, monkeypatch, capsys):
    monkeypatch.delenv("CANVAS_TOKEN", raising=False)
    assert exports.main([str(out), "--upload-canvas", "--canvas-course", "7"]) == 2
    err = capsys.readouterr().err
    assert "CANVAS_TOKEN" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--roster", "{folder}/no-such-roster.csv"], "the roster cannot be read"),
        (["--canvas-assignment", "01_patchify"], "write NAME=ID"),
    ],
)
def test_bad_export_input_says_which_and_what_to_do(out, capsys, args, words):
    args = [a.replace("{folder}", str(out.parent)) for a in args]
    assert exports.main([str(out), *args]) == 2
    assert words in capsys.readouterr().err
