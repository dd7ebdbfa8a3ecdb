"""Grading speed: seconds per notebook, where they go, and a class of 200 projected.

    python benchmarks/grading.py [--students-per-assignment 12] [--jobs 2]     (make bench-grading)

Grades a generated class (for every assignment: the reference, the blank release and typical
mistakes from tests/samples/, cycled to the size asked) with ``grader.autograde`` exactly as
``make autograde`` does: ``--jobs`` workers, each with one warm sandbox that forks a fresh child per
notebook. Prints the machine, the cost of one notebook by phase, the warm-up of a worker, the
sandbox's peak memory, and ``projected time for 200 students: NN min`` (every assignment each).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import course, samples  # noqa: E402
from grader.autograde import run as autograde  # noqa: E402
from grader.autograde import sandbox  # noqa: E402

STUDENTS = 200
PHASES = ("prepare", "sandbox", "program", "checks", "verdicts", "clean", "total")


def cpu_model() -> str:
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cpu_flags() -> str:
    try:
        flags = Path("/proc/cpuinfo").read_text().split("flags", 1)[1].split("\n", 1)[0]
    except (OSError, IndexError):
        return ""
    return ", ".join(f for f in ("amx_tile", "avx512f", "avx2") if f" {f}" in flags) or "no AVX2"


def make_class(folder: Path, per_assignment: int) -> dict[str, int]:
    counts = {}
    for assignment in course.assignments():
        names = [s.name for s in samples.all_samples(assignment)]
        chosen = [names[i % len(names)] for i in range(per_assignment)]
        for index, name in enumerate(chosen):
            for path in samples.write_class(folder / "tmp", [assignment], [name]):
                target = folder / f"s{index:03d}-{name}" / assignment / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)
        counts[assignment] = len(chosen)
    shutil.rmtree(folder / "tmp", ignore_errors=True)
    return counts


def warm_start_seconds() -> float:
    store = course.GRADING / "sandbox"
    store.mkdir(parents=True, exist_ok=True)
    box = sandbox.Box(
        python=sandbox.python_home(store),
        site=sandbox.student_view(store),
        exchange=Path(tempfile.mkdtemp(prefix="vb")),
        uid=61999 if os.geteuid() == 0 else None,
    )
    runner = sandbox.WarmRunner(box)
    try:
        start = time.perf_counter()
        runner.start()
        return time.perf_counter() - start
    finally:
        runner.close()
        shutil.rmtree(box.exchange, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students-per-assignment", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    jobs = args.jobs or os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        counts = make_class(work / "class", args.students_per_assignment)
        start = time.perf_counter()
        _, results, _ = autograde.autograde(work / "class", work / "out", progress=False, jobs=jobs)
        wall = time.perf_counter() - start
        warm = warm_start_seconds()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    graded = [r for r in results if r.timings]
    notebooks = len(counts)
    per_notebook = {p: statistics.mean(r.timings.get(p, 0.0) for r in graded) for p in PHASES}
    peak = max((r.timings.get("peak_mib", 0.0) for r in graded), default=0.0)
    statuses = {s: sum(r.status == s for r in results) for s in sorted({r.status for r in results})}
    throughput = wall / len(results)  # wall seconds per notebook with `jobs` workers, warm-up included
    projected = (warm + STUDENTS * notebooks * per_notebook["total"] / jobs) / 60
    print(
        f"machine: {cpu_model()} ({cpu_flags()}), {os.cpu_count()} cores; torch threads 1 per worker; "
        f"{jobs} worker(s)"
    )
    print(f"memory limit: {sandbox.memory_limit_kind(sandbox.Limits())}")
    print("| measure | value |\n|---|---|")
    print(f"| notebooks graded | {len(results)} ({', '.join(f'{k}: {v}' for k, v in statuses.items())}) |")
    print(f"| wall time of the run (warm-up included) | {wall:.1f} s ({throughput:.2f} s per notebook) |")
    print(f"| worker warm-up: sandbox + imports, once per worker | {warm:.1f} s |")
    for phase in PHASES:
        print(f"| per notebook, {phase} | {per_notebook[phase]:.3f} s |")
    print(f"| sandbox peak resident memory (runner + child) | {peak:.0f} MiB |")
    print(
        f"| target: 200 x {notebooks} notebooks in 20 min with {jobs} workers | "
        f"{20 * 60 * jobs / (STUDENTS * notebooks):.2f} s per notebook per worker |"
    )
    print(f"projected time for 200 students: {projected:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
