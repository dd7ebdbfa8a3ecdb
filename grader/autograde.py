"""Autograde a folder of submissions into scores, HTML feedback and a CSV grade sheet.

    python -m grader.autograde SUBMISSIONS OUT

SUBMISSIONS holds <student>/<assignment>/<notebook>.ipynb. Each run gets its own folder
OUT/runs/<run id>/ (its grades.csv, feedback, log and private nbgrader course) and is never
touched again; OUT/grades.csv is then rebuilt from all runs (the newest grade of each notebook
wins), so a re-run never overwrites or drops an earlier run's grades. OUT/feedback/<student>/
holds the newest HTML feedback and an index per student.

Each notebook is graded by nbgrader in the run's private course: test cells (hidden tests
included) are restored from the source before the notebook runs in quick mode. One bad
submission becomes a row with a status and a message; it never stops the batch.
"""
from __future__ import annotations

import argparse
import csv
import html
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from tqdm import tqdm

from grader import course
from grader.collect import Problem, Submission, collect
from grader.samples import grade_id, is_test

COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "status", "flags"]


@dataclass
class Result:
    student: str
    assignment: str
    notebook: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "ok"  # ok, missing, invalid, timeout, crashed
    flags: list[str] = field(default_factory=list)
    message: str = ""

    def row(self) -> dict[str, str]:
        return {"student": self.student, "assignment": self.assignment, "notebook": self.notebook,
                "score": f"{self.score:g}", "max_score": f"{self.max_score:g}", "status": self.status,
                "flags": ";".join(self.flags)}


# --------------------------------------------------------------------------------------------------
# Before grading: is it a notebook, and did the student touch what they must not?


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """The notebook, or None and a message saying what is wrong with the file and what to do."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook, unreadable
        return None, (f"{path.name} is not a valid Jupyter notebook ({type(error).__name__}: "
                      f"{str(error).splitlines()[0][:200] if str(error) else ''}). Re-download it from JupyterLab "
                      "(File > Download) and submit the .ipynb file itself.")
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        return None, f"{path.name} does not follow the notebook format ({error.message[:200]}). Re-save it in JupyterLab."
    return nb, ""


def tamper_flags(submitted: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Test cells edited, deleted or duplicated, compared with the student release."""
    released = {grade_id(c): c.source for c in release.cells if is_test(c)}
    seen: dict[str, int] = {}
    flags = []
    for cell in submitted.cells:
        gid = grade_id(cell)
        if gid is None:
            continue
        seen[gid] = seen.get(gid, 0) + 1
        if gid in released and is_test(cell) and cell.source.strip() != released[gid].strip():
            flags.append(f"test-cell-edited:{gid}")
        elif gid not in released and is_test(cell):
            flags.append(f"test-cell-added:{gid}")
    flags += [f"test-cell-deleted:{gid}" for gid in released if gid not in seen]
    flags += [f"duplicate-cell:{gid}" for gid, n in seen.items() if n > 1]
    return flags


# --------------------------------------------------------------------------------------------------
# Grading in a private nbgrader course per run


class RunCourse:
    """An nbgrader course inside the run folder: the source linked, its own gradebook."""

    def __init__(self, run_dir: Path):
        self.root = run_dir / "course"
        self.root.mkdir(parents=True)
        (self.root / "solutions").symlink_to(course.SOLUTIONS)
        cfg = course.config(self.root, release_directory="release", submitted_directory="submitted",
                            autograded_directory="autograded", feedback_directory="feedback")
        self.api = course.api(cfg)
        self.released: set[str] = set()

    def prepare(self, assignment: str) -> None:
        if assignment not in self.released:
            result = self.api.generate_assignment(assignment, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(f"could not prepare {assignment}:\n{result['log']}")
            self.released.add(assignment)

    def grade(self, submission: Submission, nb: nbformat.NotebookNode) -> Result:
        self.prepare(submission.assignment)
        folder = self.root / "submitted" / submission.student / submission.assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{submission.notebook}.ipynb")
        outcome = self.api.autograde(submission.assignment, submission.student, force=True, create=True)
        result = Result(submission.student, submission.assignment, submission.notebook)
        result.max_score = self.max_score(submission)
        if not outcome["success"]:
            log = outcome.get("log") or outcome.get("error") or ""
            result.status = "timeout" if "Timeout" in log or "timed out" in log else "crashed"
            result.message = log.strip().splitlines()[-1][:300] if log.strip() else "nbgrader failed"
            return result
        result.score = self.score(submission)
        feedback = self.api.generate_feedback(submission.assignment, submission.student, force=True)
        if not feedback["success"]:
            result.message = "feedback could not be generated"
        return result

    def _gradebook(self):
        from nbgrader.api import Gradebook
        return Gradebook(self.api.coursedir.db_url, self.api.coursedir.course_id)

    def score(self, s: Submission) -> float:
        with self._gradebook() as gb:
            return float(gb.find_submission_notebook(s.notebook, s.assignment, s.student).score or 0.0)

    def max_score(self, s: Submission) -> float:
        with self._gradebook() as gb:
            return float(gb.find_notebook(s.notebook, s.assignment).max_score)

    def feedback_file(self, s: Submission) -> Path:
        return self.root / "feedback" / s.student / s.assignment / f"{s.notebook}.html"


def release_notebook(assignment: str, notebook: str) -> nbformat.NotebookNode:
    return nbformat.read(course.RELEASE / assignment / f"{notebook}.ipynb", as_version=4)


def grade_one(run: RunCourse, submission: Submission) -> Result:
    """One notebook, start to finish; every failure becomes a status, never an exception."""
    result = Result(submission.student, submission.assignment, submission.notebook)
    try:
        run.prepare(submission.assignment)
        result.max_score = run.max_score(submission)
        if submission.path is None:
            result.status, result.message = "missing", f"{submission.notebook}.ipynb was not submitted"
            return result
        nb, message = read_notebook(submission.path)
        if nb is None:
            result.status, result.message = "invalid", message
            return result
        flags = tamper_flags(nb, release_notebook(submission.assignment, submission.notebook))
        result = run.grade(submission, nb)
        result.flags = flags
    except Exception as error:  # the grader itself must survive anything one submission does
        result.status, result.message = "crashed", f"{type(error).__name__}: {error}"[:300]
    return result


# --------------------------------------------------------------------------------------------------
# Results: per-run files, then the merged grade sheet and feedback


def new_run_dir(out: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1000):
        run_dir = out / "runs" / (stamp if attempt == 0 else f"{stamp}-{attempt}")
        try:
            run_dir.mkdir(parents=True)
            return run_dir
        except FileExistsError:
            continue
    raise RuntimeError(f"could not create a new run folder under {out / 'runs'}")


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)  # atomic: a reader never sees half a file


def merged_rows(out: Path) -> list[dict[str, str]]:
    """All runs' rows, the newest run's row winning for each (student, assignment, notebook)."""
    latest: dict[tuple[str, str, str], dict[str, str]] = {}
    for run_csv in sorted((out / "runs").glob("*/grades.csv")):
        with run_csv.open(newline="") as f:
            for row in csv.DictReader(f):
                latest[(row["student"], row["assignment"], row["notebook"])] = row
    return [latest[key] for key in sorted(latest)]


def feedback_page(result: Result, body: str) -> str:
    return (f"<!doctype html><meta charset='utf-8'><title>{html.escape(result.notebook)}</title>"
            f"<h1>{html.escape(result.assignment)}/{html.escape(result.notebook)}</h1>"
            f"<p>Status: <b>{html.escape(result.status)}</b>. {html.escape(result.message)}</p>{body}")


def publish_feedback(run: RunCourse, run_dir: Path, out: Path, results: list[Result],
                     submissions: dict[tuple[str, str, str], Submission]) -> None:
    for result in results:
        target = Path(result.student) / result.assignment / f"{result.notebook}.html"
        graded = run.feedback_file(submissions[(result.student, result.assignment, result.notebook)])
        page = run_dir / "feedback" / target
        page.parent.mkdir(parents=True, exist_ok=True)
        if result.status == "ok" and graded.exists():
            shutil.copyfile(graded, page)
        else:
            page.write_text(feedback_page(result, "<p>This notebook could not be graded, so it earns no points. "
                                                  "Fix the problem above and submit again.</p>"))
        latest = out / "feedback" / target
        latest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, latest)
    for student in sorted({r.student for r in results}):
        rows = [r for r in merged_rows(out) if r["student"] == student]
        items = "".join(
            f"<tr><td><a href='{html.escape(r['assignment'])}/{html.escape(r['notebook'])}.html'>"
            f"{html.escape(r['assignment'])}/{html.escape(r['notebook'])}</a></td><td>{r['score']} / "
            f"{r['max_score']}</td><td>{html.escape(r['status'])}</td></tr>" for r in rows)
        (out / "feedback" / student / "index.html").write_text(
            f"<!doctype html><meta charset='utf-8'><title>{html.escape(student)}</title><h1>Feedback for "
            f"{html.escape(student)}</h1><table><tr><th>notebook</th><th>score</th><th>status</th></tr>{items}</table>")


def summary_line(student: str, results: list[Result]) -> str:
    mine = [r for r in results if r.student == student]
    score, total = sum(r.score for r in mine), sum(r.max_score for r in mine)
    notes = sorted({r.status for r in mine} - {"ok"}) + (["flagged"] if any(r.flags for r in mine) else [])
    return f"{student}: {score:g}/{total:g} over {len(mine)} notebook(s)" + (f" ({', '.join(notes)})" if notes else "")


def autograde(submissions_dir: Path, out: Path, progress: bool = True) -> tuple[Path, list[Result], list[Problem]]:
    os.environ["VITLAB_FAST"] = "1"  # grading runs every notebook in quick mode
    submissions, problems = collect(submissions_dir)
    run_dir = new_run_dir(out)
    run = RunCourse(run_dir)
    results = []
    for submission in tqdm(submissions, desc="grading", unit="notebook", disable=not progress):
        results.append(grade_one(run, submission))
    write_csv(run_dir / "grades.csv", [r.row() for r in results])
    with (run_dir / "results.log").open("w") as log:
        for r in results:
            log.write(f"{asdict(r)}\n")
        for p in problems:
            log.write(f"PROBLEM {p}\n")
    write_csv(out / "grades.csv", merged_rows(out))
    publish_feedback(run, run_dir, out, results, {s.key: s for s in submissions})
    return run_dir, results, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", type=Path, help="folder of <student>/<assignment>/<notebook>.ipynb")
    parser.add_argument("out", type=Path, nargs="?", default=course.GRADING / "autograde",
                        help="results folder (default: .grading/autograde)")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        print(f"error: {args.submissions} is not a folder. Pass SUBMISSIONS=<folder> holding "
              "<student>/<assignment>/<notebook>.ipynb", file=sys.stderr)
        return 2
    start = time.perf_counter()
    run_dir, results, problems = autograde(args.submissions, args.out)
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    for student in sorted({r.student for r in results}):
        print(summary_line(student, results))
    print(f"{len(results)} notebook(s) graded in {time.perf_counter() - start:.0f} s; "
          f"this run: {run_dir}; grade sheet: {args.out / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
