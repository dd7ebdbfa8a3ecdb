"""Results on disk, and the merged views built from them: grade sheet, feedback, gradebook.

    python -m grader.autograde.store OUT [SHARD_OUT ...] [--policy FILE]   (make merge, make grades)

A run folder OUT/runs/<run id>/ holds one JSON result and one feedback page per graded notebook,
written the moment the notebook is graded (atomically), so nothing is lost when a run stops half
way. Runs are never changed after they finish; OUT/grades.csv, OUT/feedback/ and OUT/gradebook.db
are rebuilt from every run, the newest run's grade winning for each notebook, with the manual grades
of the gradebook (:mod:`.manual`) and the late policy (:mod:`.policy`) applied. Merging shards copies
each shard's run folders into OUT/runs (shards of one batch hold disjoint students) and rebuilds; with
no shard, OUT is only rebuilt (another late policy, new manual grades): no run is ever changed.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

import nbformat

from grader import course
from grader.autograde import manual, policy, timestamps
from grader.autograde.manual import ManualGrade
from grader.autograde.policy import NO_POLICY, Policy, PolicyError
from grader.autograde.results import COLUMNS, INVALID, MISSING, NotebookResult
from grader.autograde.sheet import COLUMNS as SHEET_COLUMNS
from grader.autograde.sheet import GradeRow


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)  # a reader never sees half a file


def _where(result: NotebookResult) -> Path:
    return Path(result.student) / result.assignment / result.notebook


def write_result(run_dir: Path, result: NotebookResult, page: str) -> None:
    atomic_write(run_dir / "feedback" / _where(result).with_suffix(".html"), page)
    atomic_write(run_dir / "results" / _where(result).with_suffix(".json"), result.to_json())


def run_results(run_dir: Path) -> list[NotebookResult]:
    found = []
    for path in sorted((run_dir / "results").glob("*/*/*.json")):
        try:
            found.append(NotebookResult.from_json(path.read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a half-written file cannot exist (atomic writes); skip anything odd
    return found


def finished_keys(run_dir: Path) -> set[tuple[str, str, str]]:
    return {r.key for r in run_results(run_dir)}


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def latest(out: Path) -> dict[tuple[str, str, str], tuple[Path, NotebookResult]]:
    """(student, assignment, notebook) -> (run folder, result) of the newest run that graded it."""
    chosen: dict[tuple[str, str, str], tuple[Path, NotebookResult]] = {}
    runs = sorted(p for p in (out / "runs").iterdir() if p.is_dir()) if (out / "runs").is_dir() else []
    for run_dir in runs:  # run ids start with a UTC time stamp: sorted = oldest first
        for result in run_results(run_dir):
            chosen[result.key] = (run_dir, result)
    return chosen


def keep_submission(run_dir: Path, result: NotebookResult, path: str | None) -> None:
    """A copy of the notebook as submitted, in the run (for the formgrader and the similarity review)."""
    if path is None or result.status in (MISSING, INVALID):
        return
    target = run_dir / "submitted" / _where(result).with_suffix(".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)


def kept_submission(run_dir: Path, result: NotebookResult) -> nbformat.NotebookNode | None:
    path = run_dir / "submitted" / _where(result).with_suffix(".ipynb")
    try:
        return nbformat.read(path, as_version=4) if path.is_file() else None
    except Exception:  # kept only if the worker could read it; anything odd means no copy
        return None


def _warn(what: str, error: Exception) -> None:
    print(f"warning: {what} ({type(error).__name__}: {error})", file=sys.stderr)


def _formgrader_copies(out: Path, chosen: dict, source: Path) -> dict[tuple[str, str, str], set[str]]:
    """OUT/autograded/ for nbgrader's formgrader; returns the written answers each student wrote."""
    answered: dict[tuple[str, str, str], set[str]] = {}
    for key in sorted(chosen):
        run_dir, result = chosen[key]
        nb = kept_submission(run_dir, result)
        if nb is None:
            continue
        answered[key] = set(manual.answers(nb))
        try:
            shown = manual.for_formgrader(
                nb, manual.source_notebook(result.assignment, result.notebook, source)
            )
        except (OSError, ValueError):
            continue  # no source notebook (any more): nothing to grade by hand
        target = out / "autograded" / result.student / result.assignment / f"{result.notebook}.ipynb"
        atomic_write(target, nbformat.writes(shown))
    return answered


def grade_rows(
    out: Path, chosen: dict, source: Path, late: Policy, *, refresh: bool = True
) -> list[GradeRow]:
    """The sheet's rows: each notebook's newest result, its manual grades, the late policy's decision.
    With ``refresh`` the gradebook is brought up to date on the way (autograded scores and penalties in,
    manual grades out); without, the gradebook is only read (the report, the exports)."""
    from grader.autograde import gradebook

    results = [chosen[key][1] for key in sorted(chosen)]
    grades: dict[tuple[str, str, str], tuple[ManualGrade, ...]] = {}
    try:
        if refresh:
            gradebook.update(out / "gradebook.db", results, source, _formgrader_copies(out, chosen, source))
        grades = gradebook.manual_grades(out / "gradebook.db", results, source)
    except Exception as error:  # the CSV and feedback are still written; say why the gradebook is not
        _warn("the nbgrader gradebook was not updated; manual grades are left out", error)
    times: dict[Path, dict[str, timestamps.SubmissionTime]] = {}
    rows = []
    for key in sorted(chosen):
        run_dir, result = chosen[key]
        if run_dir not in times:
            times[run_dir] = timestamps.recorded(run_dir)
        marks = grades.get(key, ())
        raw = result.score + sum(m.score or 0.0 for m in marks)
        total = result.max_score + sum(m.points for m in marks)
        when = times[run_dir].get(timestamps.key(result.student, result.assignment))
        if result.status == MISSING:
            when = None
        decision = policy.decide(late, result.student, result.assignment, when, raw, total)
        rows.append(GradeRow(result, marks, decision))
    decisions: dict[tuple[str, str], tuple[datetime | None, dict[str, float]]] = {}
    for row in rows:
        r = row.result
        entry = decisions.setdefault((r.student, r.assignment), (row.decision.submitted_at, {}))
        entry[1][r.notebook] = row.decision.penalty
    if not refresh:
        return rows
    try:
        gradebook.record_late(out / "gradebook.db", decisions)
    except Exception as error:
        _warn("the late penalties were not written to the nbgrader gradebook", error)
    return rows


def rebuild(out: Path, *, source: Path = course.SOLUTIONS, late: Policy = NO_POLICY) -> list[dict[str, str]]:
    """OUT/grades.csv, OUT/feedback/, the gradebook and the formgrader's copies, from every run."""
    from grader.autograde import feedback

    out = Path(out)
    chosen = latest(out)
    rows = grade_rows(out, chosen, source, late)
    sheet = [row.row() for row in rows]
    write_csv(out / "grades.csv", sheet, SHEET_COLUMNS)
    for key in sorted(chosen):
        run_dir, result = chosen[key]
        page = run_dir / "feedback" / _where(result).with_suffix(".html")
        target = out / "feedback" / _where(result).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        if page.exists():
            shutil.copyfile(page, target)
    for student in sorted({row.result.student for row in rows}):
        atomic_write(
            out / "feedback" / student / "index.html",
            feedback.student_page(student, [row for row in rows if row.result.student == student]),
        )
    manual.write_config(out, source)
    return sheet


def merge(
    out: Path, shards: list[Path], *, source: Path = course.SOLUTIONS, late: Policy = NO_POLICY
) -> list[dict[str, str]]:
    for shard in shards:
        for run_dir in sorted(p for p in (shard / "runs").iterdir() if p.is_dir()):
            target = out / "runs" / run_dir.name
            if target.exists():
                if target.resolve() != run_dir.resolve() and finished_keys(target) != finished_keys(run_dir):
                    raise FileExistsError(f"{target} exists with other results; not overwritten")
                continue
            shutil.copytree(run_dir, target, symlinks=True)
    return rebuild(out, source=source, late=late)


def load_policy(path: Path | None) -> Policy:
    """The late policy file, checked against the course's assignments (no file: no late penalties)."""
    return NO_POLICY if path is None else policy.load(path, course.assignments())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m grader.autograde.store",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out", type=Path, help="the grading folder to (re)build")
    parser.add_argument("shards", type=Path, nargs="*", help="shard grading folders to merge into OUT first")
    parser.add_argument("--policy", type=Path, default=None, help="late policy file (TOML)")
    args = parser.parse_args(argv)
    missing = [s for s in [*args.shards, *([] if args.shards else [args.out])] if not (s / "runs").is_dir()]
    if missing:
        print(
            f"error: {', '.join(map(str, missing))}: no runs/ folder (not an autograde OUT folder); pass the "
            "folders `make autograde OUT=...` wrote",
            file=sys.stderr,
        )
        return 2
    try:
        late = load_policy(args.policy)
        rows = merge(args.out, args.shards, late=late)
    except (PolicyError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    origin = f"{len(args.shards)} shard(s)" if args.shards else f"the runs of {args.out}"
    late_note = f"; late policy {args.policy}" if args.policy else ""
    print(f"{len(rows)} grade(s) from {origin} in {args.out / 'grades.csv'}{late_note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
