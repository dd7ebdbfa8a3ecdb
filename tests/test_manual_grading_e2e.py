"""Written answers end to end: a real grading run, a score entered in nbgrader's formgrader, the merged sheet.

A student hands in notebook 1 with the reference answers and two written answers (the source is
generated: tests/classroom.py adds two manually graded markdown questions to notebook 1). The grader
grades it in its sandbox; the rebuild puts the written answers into the gradebook. Then nbgrader's
formgrader runs as a Jupyter server extension on the grading folder (``make formgrader``), and the
test does over HTTP what the instructor's browser does: open the submission (the answer is on the
page), enter a score and a comment. The next rebuild merges them into grades.csv and the student's page.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from grader import samples
from grader.autograde import run as autograde
from grader.autograde import store
from grader.autograde.sandbox import Limits
from tests import classroom as C
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
ANSWER = "Attention is quadratic in the number of tokens, so pixels as tokens would cost far too much."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Formgrader:
    def __init__(self, out):
        self.token, self.port = secrets.token_hex(16), free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "JUPYTER_CONFIG_DIR": str(out / ".jupyter"),
            "JUPYTER_RUNTIME_DIR": str(out / ".jupyter" / "runtime"),
        }
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            f"--port={self.port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}",
            "--allow-root",
            "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}",
        ]
        self.log = (out.parent / "formgrader.log").open("w")
        self.process = subprocess.Popen(command, cwd=out, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                self.get("/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                assert self.process.poll() is None, (out.parent / "formgrader.log").read_text()[-3000:]
                time.sleep(1)
        raise AssertionError("the formgrader's server did not start")

    def call(self, method: str, path: str, body: dict | None = None) -> bytes:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()

    def get(self, path: str):
        return self.call("GET", path)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def test_a_manual_score_entered_in_the_formgrader_reaches_grades_csv(tmp_path):
    source = C.written_source(tmp_path / "source")
    submissions = tmp_path / "submissions"
    samples.write_class(submissions, [C.ASSIGNMENT], ["reference"])
    (submissions / "reference").rename(submissions / "ann")
    path = submissions / "ann" / C.ASSIGNMENT / f"{C.NOTEBOOK}.ipynb"
    nbformat.write(C.with_questions(nbformat.read(path, as_version=4), {"why_patches": ANSWER}), path)
    out = tmp_path / "out"
    autograde.autograde(submissions, out, progress=False, jobs=1, limits=Limits(cpu_seconds=60))
    store.rebuild(out, source=source)
    with (out / "grades.csv").open(newline="") as f:
        (before,) = list(csv.DictReader(f))
    assert (before["score"], before["max_score"]) == ("10", "10")  # notebook 1's reference answers
    assert (before["manual_max_score"], before["awaiting_manual"]) == ("5", "1")  # one answered, one blank

    server = Formgrader(out)
    try:
        (submission,) = json.loads(
            server.get(f"/formgrader/api/submitted_notebooks/{C.ASSIGNMENT}/{C.NOTEBOOK}")
        )
        assert submission["student"] == "ann" and submission["needs_manual_grade"]
        page = server.get(f"/formgrader/submissions/{submission['id']}/").decode()
        assert ANSWER in page  # the instructor reads the answer in the formgrader
        grades = json.loads(server.get(f"/formgrader/api/grades?submission_id={submission['id']}"))
        (grade,) = [g for g in grades if g["name"] == "why_patches"]
        assert grade["needs_manual_grade"] and grade["max_score"] == 2
        server.call("PUT", f"/formgrader/api/grade/{grade['id']}", {"manual_score": 1.5, "extra_credit": 0})
        comments = json.loads(server.get(f"/formgrader/api/comments?submission_id={submission['id']}"))
        (comment,) = [c for c in comments if c["name"] == "why_patches"]
        server.call(
            "PUT", f"/formgrader/api/comment/{comment['id']}", {"manual_comment": "Say why N matters."}
        )
    finally:
        server.stop()

    store.rebuild(out, source=source)
    with (out / "grades.csv").open(newline="") as f:
        (after,) = list(csv.DictReader(f))
    assert (after["manual_score"], after["awaiting_manual"], after["raw_score"]) == ("1.5", "0", "11.5")
    assert {k: after[k] for k in ("score", "max_score", "status")} == {
        "score": "10",
        "max_score": "10",
        "status": "ok",
    }
    page = (out / "feedback" / "ann" / "index.html").read_text()
    assert "Say why N matters." in page and "1.5 / 2" in page and "11.5 / 15" in page
