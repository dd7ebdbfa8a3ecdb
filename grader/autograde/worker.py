"""Grade one submitted notebook, start to finish; every failure becomes a status, never an exception.

1. read and validate the file;
2. flag edited, deleted or added test cells and suspicious code (:mod:`.flags`);
3. build the grading program: the source's setup cells and the student's own cells
   (:mod:`vitlab.checks.program`);
4. make every exercise's inputs (public and hidden cases, from the registry) and write the job;
5. run it in this worker's sandbox, in a fresh child of the warm runner (:mod:`.sandbox`);
6. judge the outputs here, outside the sandbox, with the oracles and the catalogue
   (:mod:`vitlab.checks.session`); a test cell earns its points when every check passes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import nbformat
import torch

from grader import course
from grader.autograde import flags as flagging
from grader.autograde import results as R
from grader.autograde.sandbox import ChildReport, WarmRunner
from vitlab import cells
from vitlab.checks import program as programs
from vitlab.checks import session
from vitlab.harness import wire

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
#: flags that void a notebook's points: code that changes the grading machinery itself (the harness,
#: the checks) or reaches for the instructor's package has no honest purpose
TAMPERING = (
    "monkeypatch:vitlab.harness",
    "monkeypatch:vitlab.checks",
    "monkeypatch:setattr(vitlab.harness",
    "monkeypatch:setattr(vitlab.checks",
    "suspicious:instructor-package",
)
TAMPERING_CHECK = "no tampering with the grading machinery"
TAMPERING_MESSAGE = (
    "your code changes the grading machinery or reaches for the instructor's files ({flags}); a "
    "notebook that does earns no points. Remove that code and submit again."
)
MEMORY_SIGNS = (
    "MemoryError",
    "can't allocate memory",
    "Cannot allocate memory",
    "bad_alloc",
    "out of memory",
)


@dataclass(frozen=True)
class Job:
    student: str
    assignment: str
    notebook: str
    path: str | None  # None: not submitted


@cache
def source_notebook(assignment: str, notebook: str) -> nbformat.NotebookNode:
    return nbformat.read(course.SOLUTIONS / assignment / f"{notebook}.ipynb", as_version=4)


@cache
def release_notebook(assignment: str, notebook: str) -> nbformat.NotebookNode:
    return nbformat.read(course.RELEASE / assignment / f"{notebook}.ipynb", as_version=4)


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """The notebook, or None and a message saying what is wrong with the file and what to do."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return None, (
                f"{path.name} is {size // 2**20} MiB; a notebook may be at most "
                f"{MAX_NOTEBOOK_BYTES // 2**20} MiB. Clear the outputs (Edit > Clear Outputs) and save."
            )
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook, unreadable
        first = str(error).splitlines()[0][:200] if str(error) else ""
        return None, (
            f"{path.name} is not a valid Jupyter notebook ({type(error).__name__}: {first}). "
            "Re-download it from JupyterLab (File > Download) and submit the .ipynb file itself."
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


def test_cells(source: nbformat.NotebookNode) -> list[tuple[str, float]]:
    return [(cells.grade_id(c) or "", cells.points(c)) for c in source.cells if cells.is_test(c)]


def fingerprint(outcome: wire.Outcome) -> str:
    """A short hash of an outcome: the tensors (names, dtypes, shapes, bytes), or the error's type."""
    digest = hashlib.sha256()
    if outcome.raised:
        digest.update(f"error:{outcome.error_type}".encode())
    for key in sorted(outcome.tensors):
        tensor = outcome.tensors[key].contiguous()
        digest.update(f"{key}:{tensor.dtype}:{tuple(tensor.shape)}:".encode())
        digest.update(tensor.view(-1).view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()[:16]


def _memory_trouble(report: wire.RunReport) -> bool:
    texts = [f"{c.error_type}: {c.error_message}" for c in report.cells if c.error_type]
    texts += [f"{o.error_type}: {o.error_message}" for o in report.outcomes.values() if o.raised]
    return any(sign in text for text in texts for sign in MEMORY_SIGNS)


def _child_status(child: ChildReport, limits_text: str, cpu_limit: float) -> tuple[str, str] | None:
    """(status, message) when the run did not complete; None when it did."""
    if child.status == "timeout":
        return (
            R.TIMEOUT,
            f"grading your notebook took longer than {limits_text} (an endless loop?) and was stopped",
        )
    if child.status == "memory":
        return R.MEMORY, "your notebook tried to use more memory than the limit and was stopped"
    if child.status == "signaled" and (child.signal == 24 or child.cpu_seconds >= cpu_limit):  # CPU time
        return R.TIMEOUT, f"grading your notebook used more CPU time than {limits_text} and was stopped"
    if child.status == "signaled":
        return R.CRASHED, f"your program was killed by signal {child.signal} while it was graded"
    if child.status == "lost":
        return R.CRASHED, child.message or "the sandbox stopped answering"
    return None


def grade(job: Job, runner: WarmRunner) -> R.NotebookResult:
    """One notebook, start to finish; every failure becomes a status, never an exception."""
    started = time.perf_counter()
    result = R.NotebookResult(job.student, job.assignment, job.notebook)
    try:
        source = source_notebook(job.assignment, job.notebook)
        tests = test_cells(source)
        result = replace(result, max_score=sum(p for _, p in tests))
        if job.path is None:
            return result.with_status(R.MISSING, f"{job.notebook}.ipynb was not submitted")
        nb, message = read_notebook(Path(job.path))
        if nb is None:
            return result.with_status(R.INVALID, message)
        prog = programs.build(nb, source)
        found = flagging.cell_flags(nb, release_notebook(job.assignment, job.notebook))
        found += flagging.code_flags(prog.student_cells, prog.setup_sources)
        result = replace(result, flags=tuple(found))
        plan = session.plan_notebook([g for g, _ in tests], hidden=True)
        prepared = time.perf_counter()

        folder = runner.fresh_job_folder()
        wire.write_job(folder, list(prog.cells), plan.calls(), runner.box.limits.settings())
        child = runner.run(folder)
        ran = time.perf_counter()
        try:
            limits = runner.box.limits
            stopped = _child_status(
                child, f"{limits.wall_seconds} s (CPU {limits.cpu_seconds} s)", limits.cpu_seconds
            )
            if stopped is not None:
                return result.with_status(*stopped)
            try:
                report = wire.read_outputs(folder)
            except ValueError as error:
                trace = folder / "runner-error.txt"
                if trace.is_file() and not trace.is_symlink() and os.environ.get("VITLAB_DEBUG"):
                    print(trace.read_text()[-3000:])
                return result.with_status(
                    R.CRASHED,
                    f"your program stopped before the checks could run ({error}; os._exit or a crash?)",
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if _memory_trouble(report):
            return result.with_status(R.MEMORY, "your notebook tried to use more memory than the limit")

        judged = session.judge_outcomes(plan, report.outcomes, prog.student_cells, prog.setup_sources)
        present = {cells.grade_id(c) for c in nb.cells if cells.is_test(c) or cells.grade_id(c)}
        cell_results = []
        extra_flags = ["output-truncated"] if report.output_truncated else []
        for gid, points in tests:
            outcome = judged.get(gid)
            if outcome is None:
                cell_results.append(
                    R.CellResult(
                        gid,
                        gid,
                        points,
                        0.0,
                        R.ERROR,
                        note="no checks are registered "
                        "for this test cell; it cannot be judged and earns no points",
                    )
                )
                extra_flags.append(f"unjudged:{gid}")
                continue
            checks = tuple(
                R.CheckResult(v.check, v.passed, v.message, v.mistake, v.checker_error)
                for v in outcome.verdicts
            )
            status = outcome.status
            note = ""
            if gid not in present:  # a deleted test cell: still judged, never scored
                status, note = (
                    R.DELETED,
                    "this test cell was deleted from your notebook, so it earns no points",
                )
            if status == R.ERROR:
                extra_flags.append(f"checker-error:{gid}")
            score = points if status == R.PASSED else 0.0
            cell_results.append(R.CellResult(gid, outcome.title, points, score, status, checks, note))
        tampering = [f for f in result.flags if f.startswith(TAMPERING)]
        if tampering:
            void = R.CheckResult(
                TAMPERING_CHECK, False, TAMPERING_MESSAGE.format(flags=", ".join(tampering)), "tampering"
            )
            cell_results = [
                replace(c, score=0.0, status=R.FAILED, checks=(*c.checks, void)) for c in cell_results
            ]
        judged_at = time.perf_counter()
        timings = {
            "prepare": prepared - started,
            "sandbox": child.seconds,
            "program": report.timings.get("program", 0),
            "checks": report.timings.get("checks", 0),
            "verdicts": judged_at - ran,
            "clean": child.clean_seconds,
            "total": judged_at - started,
        }
        if runner.box.memory is not None:  # the sandbox's peak resident memory so far (sizes Limits.memory)
            timings["peak_mib"] = runner.box.memory.peak() / 2**20
        return replace(
            result,
            cells=tuple(cell_results),
            score=sum(c.score for c in cell_results),
            flags=tuple(dict.fromkeys([*result.flags, *extra_flags])),
            timings={k: round(v, 4) for k, v in timings.items()},
            fingerprints={k: fingerprint(o) for k, o in sorted(report.outcomes.items())},
        )
    except Exception as error:  # the grader itself must survive anything one submission does
        return result.with_status(
            R.CRASHED,
            f"the grader failed on this notebook ({type(error).__name__}: "
            f"{str(error)[:200]}); please report it",
        )
