"""Results on disk, and the merged views built from them: grade sheet, feedback, gradebook.

    python -m grader.autograde.store OUT SHARD_OUT [SHARD_OUT ...]   (make merge)

A run folder OUT/runs/<run id>/ holds one JSON result and one feedback page per graded notebook,
written the moment the notebook is graded (atomically), so nothing is lost when a run stops half
way. Runs are never changed after they finish; OUT/grades.csv, OUT/feedback/ and OUT/gradebook.db
are rebuilt from every run, the newest run's grade winning for each notebook. Merging shards copies
each shard's run folders into OUT/runs (shards of one batch hold disjoint students) and rebuilds.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

from grader.autograde.results import COLUMNS, NotebookResult


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


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
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


def rebuild(out: Path) -> list[dict[str, str]]:
    """OUT/grades.csv, OUT/feedback/ and the gradebook from every run."""
    from grader.autograde import feedback

    chosen = latest(out)
    rows = [chosen[key][1].row() for key in sorted(chosen)]
    write_csv(out / "grades.csv", rows)
    for key in sorted(chosen):
        run_dir, result = chosen[key]
        page = run_dir / "feedback" / _where(result).with_suffix(".html")
        target = out / "feedback" / _where(result).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        if page.exists():
            shutil.copyfile(page, target)
    for student in sorted({r["student"] for r in rows}):
        atomic_write(
            out / "feedback" / student / "index.html",
            feedback.index_page(student, [r for r in rows if r["student"] == student]),
        )
    try:
        from grader.autograde.gradebook import update

        update(out / "gradebook.db", [result for _, result in chosen.values()])
    except Exception as error:  # the CSV and feedback are written; say why the gradebook is not
        print(
            f"warning: the nbgrader gradebook was not updated ({type(error).__name__}: {error})",
            file=sys.stderr,
        )
    return rows


def merge(out: Path, shards: list[Path]) -> list[dict[str, str]]:
    for shard in shards:
        for run_dir in sorted(p for p in (shard / "runs").iterdir() if p.is_dir()):
            target = out / "runs" / run_dir.name
            if target.exists():
                if target.resolve() != run_dir.resolve() and finished_keys(target) != finished_keys(run_dir):
                    raise FileExistsError(f"{target} exists with other results; not overwritten")
                continue
            shutil.copytree(run_dir, target, symlinks=True)
    return rebuild(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out, shards = Path(args[0]), [Path(a) for a in args[1:]]
    missing = [s for s in shards if not (s / "runs").is_dir()]
    if missing:
        print(
            f"error: {', '.join(map(str, missing))}: no runs/ folder (not an autograde OUT folder)",
            file=sys.stderr,
        )
        return 2
    rows = merge(out, shards)
    print(f"{len(rows)} grade(s) from {len(shards)} shard(s) in {out / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
