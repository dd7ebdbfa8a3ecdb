"""Grading speed: seconds per notebook, the overhead above the kernel floor, and 200 students projected.

    python benchmarks/grading.py [--students-per-assignment 3] [--jobs N]

Grades a generated class (for every assignment: the reference, the blank release and typical
mistakes from tests/samples/) with ``grader.autograde`` exactly as ``make autograde`` does: one
fresh sandboxed kernel per notebook, ``--jobs`` workers. The floor is one sandboxed kernel that
starts and imports torch, torchvision and matplotlib, timed alone. A warm-up run first fills the
calibration cache (once per source version), so it is not counted.

Prints a results table; the last line reads ``projected time for 200 students: NN min`` (six
notebooks each, at the measured throughput of this machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from grader import autograde, course, execute, samples  # noqa: E402
from grader.sandbox import Limits, Sandbox, python_home  # noqa: E402

STUDENTS = 200
NOTEBOOKS_PER_STUDENT = 6


def floor_seconds() -> float:
    """One sandboxed kernel: start, import torch, torchvision and matplotlib, stop."""
    space = execute.scratch_space()
    try:
        box = Sandbox(
            scratch=space / "scratch",
            records=space / "records",
            kernel_dir=space / "k",
            python=python_home(autograde.SANDBOX_STORE),
            uid=61999 if os.geteuid() == 0 else None,
        )
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("import torch, torchvision, matplotlib.pyplot")]
        start = time.perf_counter()
        result = execute.run_notebook(nb, box, space / "store", Limits())
        assert result.status == "ok", result.message
        return time.perf_counter() - start
    finally:
        execute.cleanup(space)


def make_class(folder: Path, per_assignment: int) -> dict[str, int]:
    counts = {}
    for assignment in course.assignments():
        if not course.notebooks(assignment) or not (course.RELEASE / assignment).is_dir():
            continue
        names = [s.name for s in samples.all_samples(assignment)][:per_assignment]
        counts[assignment] = len(samples.write_class(folder, [assignment], names))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students-per-assignment", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    jobs = args.jobs or os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        folder = work / "class"
        counts = make_class(folder, args.students_per_assignment)
        warm = work / "warm"
        for assignment in counts:  # calibration (cached afterwards) and the first imports
            shutil.copytree(folder / "reference" / assignment, warm / "reference" / assignment)
        autograde.autograde(warm, work / "warm-out", progress=False, jobs=jobs)
        floor = floor_seconds()
        start = time.perf_counter()
        _, results, _ = autograde.autograde(folder, work / "out", progress=False, jobs=jobs)
        wall = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)
    graded = len(results)
    per_notebook = wall / graded  # wall seconds per notebook with `jobs` workers
    cpu_per_notebook = per_notebook * jobs
    projected = STUDENTS * NOTEBOOKS_PER_STUDENT * per_notebook / 60
    statuses = {s: sum(r.status == s for r in results) for s in sorted({r.status for r in results})}
    print(f"machine: {os.cpu_count()} cores, {jobs} worker(s); assignments: {', '.join(counts)}")
    print("| measure | value |\n|---|---|")
    print(f"| notebooks graded | {graded} ({', '.join(f'{k}: {v}' for k, v in statuses.items())}) |")
    print(f"| wall time | {wall:.1f} s |")
    print(f"| floor: sandboxed kernel + torch/torchvision/matplotlib imports | {floor:.1f} s |")
    print(f"| seconds per notebook (wall, {jobs} workers) | {per_notebook:.1f} s |")
    print(f"| seconds per notebook per worker | {cpu_per_notebook:.1f} s |")
    print(f"| overhead above the floor per notebook per worker | {cpu_per_notebook - floor:.1f} s |")
    print(
        f"| target: 200 x 6 notebooks in 60 min on 2 cores | "
        f"{3600 * 2 / (STUDENTS * NOTEBOOKS_PER_STUDENT):.1f} s per notebook per core |"
    )
    print(f"projected time for 200 students: {projected:.0f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
