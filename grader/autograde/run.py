"""Autograde a folder of submissions into scores, HTML feedback and a CSV grade sheet.

    python -m grader.autograde SUBMISSIONS OUT [--jobs N] [--shard K/N] [--resume [RUN]] [--executed]

SUBMISSIONS holds <student>/<assignment>/<notebook>.ipynb folders and/or <student>.zip files.
Each notebook is one job (:mod:`.worker`); ``--jobs`` workers (default: the number of cores) each
keep one warm sandbox (:mod:`.sandbox`) that forks a fresh child per notebook.

Each run has its own folder OUT/runs/<run id>/ and never touches another run's; a result is written
the moment its notebook is graded, so ``--resume`` finishes an interrupted run. OUT/grades.csv,
OUT/feedback/ and OUT/gradebook.db are rebuilt from all runs (newest grade per notebook wins; manual
grades from the gradebook, late penalties from ``--policy``), here
and by ``python -m grader.autograde.store OUT SHARD_OUT...`` when shards graded elsewhere come home.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from grader import course
from grader.autograde import feedback, sandbox, store, timestamps, worker
from grader.autograde.collect import Problem, Submission
from grader.autograde.intake import gather
from grader.autograde.policy import NO_POLICY, Policy, PolicyError
from grader.autograde.results import NotebookResult
from grader.autograde.sandbox import Box, Limits, MemoryGroup, WarmRunner

SANDBOX_STORE = course.GRADING / "sandbox"

# --------------------------------------------------------------------------------------------------
# Worker processes: one warm sandbox each

_RUNNER: WarmRunner | None = None
_EXCHANGE: Path | None = None


def _init_worker(slots, limits: Limits, data: str | None, executed: bool) -> None:
    global _RUNNER, _EXCHANGE
    slot = slots.get()
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["VITLAB_FAST"] = "1"
    uid = 61000 + slot if os.geteuid() == 0 else None
    _EXCHANGE = Path(tempfile.mkdtemp(prefix=f"vitlab-x{slot}-"))
    os.chmod(_EXCHANGE.parent, os.stat(_EXCHANGE.parent).st_mode)
    memory = MemoryGroup.create(f"vitlab-grading-{os.getpid()}", limits.memory)
    box = Box(
        python=sandbox.python_home(SANDBOX_STORE),
        site=sandbox.student_view(SANDBOX_STORE),
        exchange=_EXCHANGE,
        data=Path(data) if data else None,
        limits=limits,
        uid=uid,
        memory=memory,
    )
    _RUNNER = WarmRunner(box)
    atexit.register(_close_worker)


def _close_worker() -> None:
    if _RUNNER is not None:
        _RUNNER.close()
    if _EXCHANGE is not None:
        shutil.rmtree(_EXCHANGE, ignore_errors=True)


def grade_and_store(job: worker.Job, run_dir: str, executed: bool) -> NotebookResult:
    assert _RUNNER is not None and _EXCHANGE is not None
    result = worker.grade(job, _RUNNER)
    if executed and job.path is not None and result.status != "missing":
        from grader.autograde import execute

        execute.executed_copy(job, _RUNNER.box, Path(run_dir))
    store.keep_submission(Path(run_dir), result, job.path)
    store.write_result(Path(run_dir), result, feedback.notebook_page(result))
    return result


# --------------------------------------------------------------------------------------------------
# The run


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit()) or not 1 <= int(k) <= int(n):
        raise ValueError(f"--shard takes K/N with 1 <= K <= N, e.g. 3/8; got {text!r}")
    return int(k), int(n)


def in_shard(student: str, shard: tuple[int, int] | None) -> bool:
    """A fixed slice of the class: the same student always lands in the same shard."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(student.encode()).hexdigest()[:12], 16) % n == k - 1


def new_run_dir(out: Path, shard: tuple[int, int] | None = None) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = f"-shard{shard[0]}of{shard[1]}" if shard else ""
    for attempt in range(1000):
        run_dir = out / "runs" / (f"{stamp}{suffix}" if attempt == 0 else f"{stamp}{suffix}-{attempt}")
        try:
            run_dir.mkdir(parents=True)
            return run_dir
        except FileExistsError:
            continue
    raise RuntimeError(f"could not create a new run folder under {out / 'runs'}")


def resume_dir(out: Path, name: str | None) -> Path:
    runs = sorted(p for p in (out / "runs").glob("*") if p.is_dir()) if (out / "runs").is_dir() else []
    if name:
        chosen = out / "runs" / name
        if not chosen.is_dir():
            raise FileNotFoundError(f"no run {name} under {out / 'runs'}")
        return chosen
    unfinished = [p for p in runs if not (p / "grades.csv").exists()]
    if not unfinished:
        raise FileNotFoundError(f"no unfinished run under {out / 'runs'} to resume")
    return unfinished[-1]


def prepare_data() -> Path | None:
    """Fashion-MNIST unpacked once by the grader, bound read-only into every sandbox."""
    data_store = SANDBOX_STORE / "data"
    previous = os.environ.get("VITLAB_CACHE")
    os.environ["VITLAB_CACHE"] = str(data_store)
    try:
        from vitlab import data

        root = data.find_root()
    except Exception:
        return None
    finally:
        if previous is None:
            os.environ.pop("VITLAB_CACHE", None)
        else:
            os.environ["VITLAB_CACHE"] = previous
    for path in [p for p in root.rglob("*")] + [root, *root.parents]:
        if str(path).startswith(str(course.GRADING)):
            os.chmod(path, os.stat(path).st_mode | 0o005 | (0o001 if path.is_dir() else 0))
    return root


def autograde(
    submissions_dir: Path,
    out: Path,
    progress: bool = True,
    *,
    jobs: int | None = None,
    shard: tuple[int, int] | None = None,
    resume: str | bool | None = None,
    limits: Limits | None = None,
    executed: bool = False,
    late: Policy = NO_POLICY,
) -> tuple[Path, list[NotebookResult], list[Problem]]:
    reason = sandbox.available()
    if reason:
        raise RuntimeError(f"cannot sandbox student code: {reason}")
    os.environ["VITLAB_FAST"] = "1"
    out = Path(out)
    if resume:
        run_dir = resume_dir(out, resume if isinstance(resume, str) else None)
        manifest = json.loads((run_dir / "manifest.json").read_text())
        submissions_dir, shard = Path(manifest["submissions"]), parse_shard(manifest.get("shard"))
    else:
        run_dir = new_run_dir(out, shard)
    limits = limits or Limits()
    store.atomic_write(
        run_dir / "manifest.json",
        json.dumps(
            {
                "submissions": str(Path(submissions_dir).resolve()),
                "shard": f"{shard[0]}/{shard[1]}" if shard else None,
                "limits": asdict(limits),
                "memory_limit": sandbox.memory_limit_kind(limits),
            },
            indent=1,
        ),
    )
    staging = run_dir / "intake"
    shutil.rmtree(staging, ignore_errors=True)
    submissions, problems = gather(Path(submissions_dir), staging)
    submissions = [s for s in submissions if in_shard(s.student, shard)]
    record_times(run_dir, Path(submissions_dir), staging, submissions)
    done = store.finished_keys(run_dir)
    todo = [s for s in submissions if s.key not in done]
    jobs = max(1, min(jobs or os.cpu_count() or 1, max(1, len(todo))))
    data = prepare_data()
    SANDBOX_STORE.mkdir(parents=True, exist_ok=True)
    sandbox.python_home(SANDBOX_STORE)  # made once, before the workers race for it
    sandbox.student_view(SANDBOX_STORE)
    context = multiprocessing.get_context("spawn")
    slots = context.Queue()
    for slot in range(jobs):
        slots.put(slot)
    results: list[NotebookResult] = []
    if todo:
        with ProcessPoolExecutor(
            jobs,
            mp_context=context,
            initializer=_init_worker,
            initargs=(slots, limits, str(data) if data else None, executed),
        ) as pool:
            futures = [
                pool.submit(
                    grade_and_store,
                    worker.Job(s.student, s.assignment, s.notebook, str(s.path) if s.path else None),
                    str(run_dir),
                    executed,
                )
                for s in sorted(todo, key=lambda s: (s.assignment, s.student))
            ]
            for future in tqdm(
                as_completed(futures),
                total=len(futures),
                desc="grading",
                unit="notebook",
                disable=not progress,
            ):
                results.append(future.result())
    every = store.run_results(run_dir)
    store.write_csv(run_dir / "grades.csv", [r.row() for r in every])
    with (run_dir / "problems.log").open("a") as log:
        for p in problems:
            log.write(f"{p}\n")
    store.rebuild(out, late=late)
    return run_dir, sorted(results, key=lambda r: r.key), problems


def record_times(run_dir: Path, folder: Path, staging: Path, submissions: list[Submission]) -> None:
    """The submission times this run found (nbgrader's timestamp.txt or the zip entry's time), kept in it."""
    found = {}
    for s in submissions:
        for base in (folder, staging):
            when = timestamps.read(base / s.student / s.assignment)
            if when is not None:
                found[timestamps.key(s.student, s.assignment)] = when
                break
    timestamps.record(run_dir, found)


def summary_line(student: str, results: list[NotebookResult]) -> str:
    mine = [r for r in results if r.student == student]
    score, total = sum(r.score for r in mine), sum(r.max_score for r in mine)
    notes = sorted({r.status for r in mine} - {"ok"}) + (["flagged"] if any(r.flags for r in mine) else [])
    return f"{student}: {score:g}/{total:g} over {len(mine)} notebook(s)" + (
        f" ({', '.join(notes)})" if notes else ""
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m grader.autograde",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "submissions", type=Path, help="folder of <student>/<assignment>/<notebook>.ipynb or <student>.zip"
    )
    parser.add_argument(
        "out",
        type=Path,
        nargs="?",
        default=course.GRADING / "autograde",
        help="results folder (default: .grading/autograde)",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="parallel workers (default: the number of cores)"
    )
    parser.add_argument("--shard", default=None, help="grade only slice K of N of the students, e.g. 2/8")
    parser.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=None,
        metavar="RUN",
        help="finish an interrupted run (the newest unfinished one, or RUN)",
    )
    parser.add_argument(
        "--policy", type=Path, default=None, help="late policy file (see docs/late-policy.example.toml)"
    )
    parser.add_argument(
        "--executed",
        action="store_true",
        help="also run each whole notebook in its sandbox, for the student's feedback (never scored)",
    )
    defaults = Limits()
    parser.add_argument("--cpu-seconds", type=int, default=defaults.cpu_seconds, help="CPU time per notebook")
    parser.add_argument(
        "--wall-seconds", type=int, default=defaults.wall_seconds, help="wall time per notebook"
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=defaults.memory // 2**20,
        help="resident memory per sandbox (address space where no cgroup is available)",
    )
    args = parser.parse_args(argv)
    try:
        shard = parse_shard(args.shard)
        late = store.load_policy(args.policy)
    except (ValueError, PolicyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not args.resume and not args.submissions.is_dir():
        print(
            f"error: {args.submissions} is not a folder. Pass SUBMISSIONS=<folder> holding "
            "<student>/<assignment>/<notebook>.ipynb or <student>.zip files",
            file=sys.stderr,
        )
        return 2
    limits = Limits(
        memory=args.memory_mb * 2**20, cpu_seconds=args.cpu_seconds, wall_seconds=args.wall_seconds
    )
    start = time.perf_counter()
    try:
        run_dir, results, problems = autograde(
            args.submissions,
            args.out,
            jobs=args.jobs,
            shard=shard,
            resume=args.resume,
            limits=limits,
            executed=args.executed,
            late=late,
        )
    except (RuntimeError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    for student in sorted({r.student for r in results}):
        print(summary_line(student, results))
    print(
        f"{len(results)} notebook(s) graded in {time.perf_counter() - start:.0f} s; this run: {run_dir}; "
        f"grade sheet: {args.out / 'grades.csv'}"
    )
    return 0
