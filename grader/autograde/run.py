"""Autograde a folder of submissions into scores, HTML feedback and a CSV grade sheet.

    python -m grader.autograde SUBMISSIONS OUT [--jobs N] [--shard K/N] [--resume [RUN]]

SUBMISSIONS holds <student>/<assignment>/<notebook>.ipynb folders and/or <student>.zip files.
Each notebook is one job, run by a pool of workers (``--jobs``, default: the number of cores):

1. read and validate the file; flag edited, deleted or added test cells and suspicious code;
2. restore every test cell from ``solutions/`` (hidden tests included);
3. execute the notebook in its own bubblewrap sandbox (:mod:`grader.sandbox`, :mod:`grader.execute`);
   the checks inside record the student's outputs on the checker's inputs as plain tensors;
4. outside the sandbox, replay each test cell on those records with the oracles
   (:mod:`grader.verdicts`): a cell earns its points only if every check passes there;
5. write the job's result (JSON), its executed notebook and its feedback page into the run folder.

Each run has its own folder OUT/runs/<run id>/ and never touches another run's; a result is written
the moment its notebook is graded, so ``--resume`` finishes an interrupted run. OUT/grades.csv,
OUT/feedback/ and OUT/gradebook.db are rebuilt from all runs (newest grade per notebook wins), here
and by ``python -m grader.merge`` when shards graded on other machines come home.

Which test cells the replay can judge is learnt once per source version by grading the reference
solution the same way ("calibration"); a cell it cannot judge falls back to the kernel's own
pass/fail and the run prints a warning.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from tqdm import tqdm

from grader import course, feedback, merge, tamper
from grader.collect import Problem
from grader.intake import gather
from grader.samples import grade_id, is_test
from grader.sandbox import Limits, python_home

COLUMNS = merge.COLUMNS
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
SANDBOX_STORE = course.GRADING / "sandbox"
tamper_flags = tamper.cell_flags  # kept for callers of the first version


@dataclass
class Result:
    student: str
    assignment: str
    notebook: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "ok"  # ok, missing, invalid, timeout, memory, crashed
    flags: list[str] = field(default_factory=list)
    message: str = ""
    cells: list[dict] = field(default_factory=list)  # per test cell: points, score, verdicts

    def row(self) -> dict[str, str]:
        return merge.row(asdict(self))


@dataclass(frozen=True)
class Job:
    student: str
    assignment: str
    notebook: str
    path: str | None
    run_dir: str
    limits: Limits
    data: str | None
    python: str
    trusted: tuple[str, ...] | None  # test cells the replay judges; None: calibrating (all of them)


# --------------------------------------------------------------------------------------------------
# One notebook (runs in a worker process)

_UID: int | None = None
_NAMESPACES: dict[str, dict] = {}


def _init_worker(slots) -> None:
    global _UID
    slot = slots.get()
    _UID = 61000 + slot if os.geteuid() == 0 else None
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["VITLAB_FAST"] = "1"


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """The notebook, or None and a message saying what is wrong with the file and what to do."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None, (
                f"{path.name} is {path.stat().st_size // 2**20} MiB; a notebook may be at most "
                f"{MAX_NOTEBOOK_BYTES // 2**20} MiB. Clear the outputs (Edit > Clear Outputs) and save."
            )
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook, unreadable
        return None, (
            f"{path.name} is not a valid Jupyter notebook ({type(error).__name__}: "
            f"{str(error).splitlines()[0][:200] if str(error) else ''}). Re-download it from JupyterLab "
            "(File > Download) and submit the .ipynb file itself."
        )
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        return (
            None,
            f"{path.name} does not follow the notebook format ({error.message[:200]}). "
            "Re-save it in JupyterLab.",
        )
    if not isinstance(nb.get("cells"), list):
        return None, f"{path.name} holds no cells. Re-save it in JupyterLab."
    return nb, ""


def source_notebook(assignment: str, notebook: str) -> nbformat.NotebookNode:
    return nbformat.read(course.SOLUTIONS / assignment / f"{notebook}.ipynb", as_version=4)


def release_notebook(assignment: str, notebook: str) -> nbformat.NotebookNode:
    return nbformat.read(course.RELEASE / assignment / f"{notebook}.ipynb", as_version=4)


def test_points(source: nbformat.NotebookNode) -> dict[str, float]:
    return {grade_id(c): float(c.metadata["nbgrader"].get("points", 0)) for c in source.cells if is_test(c)}


def _namespace(key: str, source: nbformat.NotebookNode) -> dict:
    from grader.verdicts import setup_imports

    if key not in _NAMESPACES:
        setup = [
            c.source
            for c in source.cells
            if c.cell_type == "code"
            and not is_test(c)
            and c.metadata.get("nbgrader", {}).get("locked")
            and not c.metadata["nbgrader"].get("solution")
        ]
        _NAMESPACES[key] = setup_imports(setup)
    return _NAMESPACES[key]


def _kernel_passed(cell) -> bool:
    return not any(out.get("output_type") == "error" for out in cell.get("outputs", []))


def score_cells(job: Job, result: Result, graded, source, execution) -> None:
    from grader.verdicts import load_records, replay_cell

    tests = {grade_id(c): c.source for c in source.cells if is_test(c)}
    positions: dict[str, int] = {}
    for index, cell in enumerate(graded.cells):
        positions.setdefault(grade_id(cell) or "", index)
    for gid, points in test_points(source).items():
        entry = {"grade_id": gid, "points": points, "score": 0.0, "verdicts": [], "note": ""}
        result.cells.append(entry)
        index = positions.get(gid)
        if index is None:
            entry["note"] = "this test cell was deleted from your notebook, so it earns no points"
            continue
        ran = index in execution.executed and _kernel_passed(graded.cells[index])
        if job.trusted is None or gid in job.trusted:
            records = load_records(execution.records.get(index, []))
            verdict = replay_cell(
                gid, tests[gid], _namespace(f"{job.assignment}/{job.notebook}", source), records
            )
            passed = verdict.passed
            entry["verdicts"] = [
                {"check": v.check, "passed": v.passed, "message": v.message} for v in verdict.verdicts
            ]
            entry["records"] = verdict.records
            if verdict.message and not verdict.verdicts:
                entry["note"] = verdict.message
            if verdict.mismatch:
                result.flags.append(f"records-mismatch:{gid}")
            if ran and not passed:
                result.flags.append(f"verdict-mismatch:{gid}")
        else:  # not judged out of process (see calibration): the kernel's own result
            passed = ran
            entry["note"] = "judged by the kernel's own result"
        entry["score"] = points if passed else 0.0
    result.score = sum(c["score"] for c in result.cells)


def grade(job: Job) -> Result:
    """One notebook, start to finish; every failure becomes a status, never an exception."""
    from grader.execute import cleanup, run_notebook, scratch_space
    from grader.sandbox import Sandbox

    result = Result(job.student, job.assignment, job.notebook)
    run_dir = Path(job.run_dir)
    where = Path(job.student) / job.assignment
    try:
        source = source_notebook(job.assignment, job.notebook)
        result.max_score = sum(test_points(source).values())
        if job.path is None:
            result.status, result.message = "missing", f"{job.notebook}.ipynb was not submitted"
            return result
        nb, message = read_notebook(Path(job.path))
        if nb is None:
            result.status, result.message = "invalid", message
            return result
        result.flags = tamper.cell_flags(
            nb, release_notebook(job.assignment, job.notebook)
        ) + tamper.code_flags(nb)
        graded = tamper.graded_notebook(nb, source)
        space = scratch_space()
        try:
            sandbox = Sandbox(
                scratch=space / "scratch",
                records=space / "records",
                kernel_dir=space / "k",
                python=Path(job.python),
                data=Path(job.data) if job.data else None,
                limits=job.limits,
                uid=_UID,
            )
            store = run_dir / "records" / where / job.notebook
            shutil.rmtree(store, ignore_errors=True)
            execution = run_notebook(graded, sandbox, store, job.limits)
        finally:
            cleanup(space)
        if execution.truncated:
            result.flags.append("output-truncated")
        result.status, result.message = execution.status, execution.message
        if execution.status == "ok":
            score_cells(job, result, graded, source, execution)
        executed = run_dir / "autograded" / where / f"{job.notebook}.ipynb"
        executed.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(graded, executed)
    except Exception as error:  # the grader itself must survive anything one submission does
        result.status, result.message = "crashed", f"{type(error).__name__}: {error}"[:300]
    finally:
        result.flags = list(dict.fromkeys(result.flags))  # in the order found, once each
        if result.status != "ok":
            result.score = 0.0
    return result


def grade_and_store(job: Job) -> Result:
    result = grade(job)
    if job.trusted is not None:
        merge.write_result(Path(job.run_dir), asdict(result), feedback.notebook_page(asdict(result)))
    return result


# --------------------------------------------------------------------------------------------------
# Calibration: which test cells the out-of-process replay can judge (the reference must pass there)


def _calibration_key(assignment: str, notebook: str) -> str:
    digest = hashlib.sha256()
    files = [course.SOLUTIONS / assignment / f"{notebook}.ipynb", Path(__file__).with_name("verdicts.py")]
    files += sorted((course.ROOT / "vitlab").rglob("*.py"))
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def reference_submission(assignment: str, notebook: str, folder: Path) -> Path:
    from grader import samples

    path = folder / f"{assignment}-{notebook}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    source = source_notebook(assignment, notebook)
    nbformat.write(
        samples.fill(release_notebook(assignment, notebook), source, samples.reference(assignment)), path
    )
    return path


def calibrate(
    pool, needed: list[tuple[str, str]], run_dir: Path, base: dict
) -> dict[tuple[str, str], tuple[str, ...]]:
    store = course.GRADING / "calibration"
    trusted: dict[tuple[str, str], tuple[str, ...]] = {}
    todo = []
    for assignment, notebook in needed:
        cached = store / f"{assignment}-{notebook}-{_calibration_key(assignment, notebook)}.json"
        if cached.exists():
            trusted[(assignment, notebook)] = tuple(json.loads(cached.read_text())["trusted"])
        else:
            path = reference_submission(assignment, notebook, run_dir / "calibration")
            todo.append(
                (
                    assignment,
                    notebook,
                    cached,
                    pool.submit(
                        grade, Job("reference", assignment, notebook, str(path), trusted=None, **base)
                    ),
                )
            )
    for assignment, notebook, cached, future in todo:
        result = future.result()
        cells = tuple(c["grade_id"] for c in result.cells if c["score"] == c["points"] and c.get("records"))
        missing = sorted(set(test_points(source_notebook(assignment, notebook))) - set(cells))
        if result.status != "ok" or missing:
            print(
                f"warning: {assignment}/{notebook}: the out-of-process replay cannot judge "
                f"{', '.join(missing) or 'any test cell'} "
                f"({result.status}: {result.message or 'the reference solution does not pass there'}); "
                "those cells fall back to the kernel's own result, which student code can influence",
                file=sys.stderr,
            )
        if result.status == "ok":
            merge.atomic_write(cached, json.dumps({"trusted": list(cells)}))
        trusted[(assignment, notebook)] = cells
    return trusted


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
    store = SANDBOX_STORE / "data"
    previous = os.environ.get("VITLAB_CACHE")
    os.environ["VITLAB_CACHE"] = str(store)
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
) -> tuple[Path, list[Result], list[Problem]]:
    from grader import sandbox

    reason = sandbox.available()
    if reason:
        raise RuntimeError(f"cannot sandbox student code: {reason}")
    os.environ["VITLAB_FAST"] = "1"  # grading runs every notebook in quick mode
    out = Path(out)
    if resume:
        run_dir = resume_dir(out, resume if isinstance(resume, str) else None)
        manifest = json.loads((run_dir / "manifest.json").read_text())
        submissions_dir, shard = Path(manifest["submissions"]), parse_shard(manifest.get("shard"))
    else:
        run_dir = new_run_dir(out, shard)
        (run_dir / "manifest.json").write_text(
            json.dumps(
                {
                    "submissions": str(Path(submissions_dir).resolve()),
                    "shard": f"{shard[0]}/{shard[1]}" if shard else None,
                }
            )
        )
    staging = run_dir / "intake"
    shutil.rmtree(staging, ignore_errors=True)
    submissions, problems = gather(Path(submissions_dir), staging)
    submissions = [s for s in submissions if in_shard(s.student, shard)]
    done = merge.finished_keys(run_dir)
    todo = [s for s in submissions if s.key not in done]
    limits = limits or Limits()
    base = {
        "run_dir": str(run_dir),
        "limits": limits,
        "data": str(prepare_data() or "") or None,
        "python": str(python_home(SANDBOX_STORE)),
    }
    jobs = max(1, jobs or os.cpu_count() or 1)
    context = multiprocessing.get_context("spawn")
    slots = context.Queue()
    for slot in range(jobs):
        slots.put(slot)
    results: list[Result] = []
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(slots,)) as pool:
        needed = sorted({(s.assignment, s.notebook) for s in todo if s.path is not None})
        trusted = calibrate(pool, needed, run_dir, base)
        futures = [
            pool.submit(
                grade_and_store,
                Job(
                    s.student,
                    s.assignment,
                    s.notebook,
                    str(s.path) if s.path else None,
                    trusted=trusted.get((s.assignment, s.notebook), ()),
                    **base,
                ),
            )
            for s in todo
        ]
        for future in tqdm(
            as_completed(futures), total=len(futures), desc="grading", unit="notebook", disable=not progress
        ):
            results.append(future.result())
    every = merge.run_results(run_dir)
    merge.write_csv(run_dir / "grades.csv", [merge.row(r) for r in every])
    with (run_dir / "problems.log").open("a") as log:
        for p in problems:
            log.write(f"{p}\n")
    merge.rebuild(out)
    return run_dir, sorted(results, key=lambda r: (r.student, r.assignment, r.notebook)), problems


def summary_line(student: str, results: list[Result]) -> str:
    mine = [r for r in results if r.student == student]
    score, total = sum(r.score for r in mine), sum(r.max_score for r in mine)
    notes = sorted({r.status for r in mine} - {"ok"}) + (["flagged"] if any(r.flags for r in mine) else [])
    return f"{student}: {score:g}/{total:g} over {len(mine)} notebook(s)" + (
        f" ({', '.join(notes)})" if notes else ""
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
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
    parser.add_argument("--cell-timeout", type=int, default=Limits.cell_timeout, help="seconds per cell")
    parser.add_argument(
        "--notebook-timeout", type=int, default=Limits.notebook_timeout, help="seconds per notebook"
    )
    parser.add_argument(
        "--memory-gb", type=float, default=Limits.memory / 1024**3, help="address-space limit per kernel"
    )
    args = parser.parse_args(argv)
    try:
        shard = parse_shard(args.shard)
    except ValueError as error:
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
        memory=int(args.memory_gb * 1024**3),
        cell_timeout=args.cell_timeout,
        notebook_timeout=args.notebook_timeout,
    )
    start = time.perf_counter()
    try:
        run_dir, results, problems = autograde(
            args.submissions, args.out, jobs=args.jobs, shard=shard, resume=args.resume, limits=limits
        )
    except (RuntimeError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    for student in sorted({r.student for r in results}):
        print(summary_line(student, results))
    print(
        f"{len(results)} notebook(s) graded in {time.perf_counter() - start:.0f} s; "
        f"this run: {run_dir}; grade sheet: {args.out / 'grades.csv'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
