"""Run a grading program and call its exercises on the grader's inputs; report only the outputs.

    python -m vitlab.harness.runner JOB_FOLDER      # one job, in this process (``make check``)

The program is the notebook's setup cells and the student's own cells, in notebook order
(``vitlab.checks.program`` builds it). Each cell runs in one namespace, like a kernel would run
"Run All": a cell that raises is reported and the next one still runs. Then every case of the job
calls one function of ``vitlab.harness.calls`` on the named objects of that namespace and keeps
what came back as plain tensors, or the error's type, message and line. Nothing here knows what
the right output is: the verdicts are computed elsewhere, from the outputs file.
"""

from __future__ import annotations

import importlib
import io
import linecache
import signal
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from vitlab.harness import wire
from vitlab.harness.scratch import is_student_file
from vitlab.harness.wire import CaseCall, CellReport, Outcome, ProgramCell, RunReport, Tensors

CALLS_PACKAGE = "vitlab.harness.calls."
MAX_OUTCOME_BYTES = 16 * 1024 * 1024
OUTPUT_CAP = 256 * 1024  # characters of printed output kept (the rest is counted, then dropped)


class CaseTimeout(BaseException):
    """Raised inside a case that ran past its time (a BaseException: ``except Exception`` misses it)."""


# --------------------------------------------------------------------------------------------------
# Where an error happened, in the student's words


def student_line(error: BaseException) -> str:
    """'line N of cell <label>: <code>' for the innermost frame of the student's own code."""
    frames = traceback.extract_tb(error.__traceback__)
    mine = [f for f in frames if is_student_file(f.filename)]
    frame = mine[-1] if mine else None
    if frame is None:
        return ""
    name = frame.filename
    if name.startswith("<cell ") and name.endswith(">"):
        where = f"cell {name[6:-1]}"
    else:
        where = "your cell"
    return f"line {frame.lineno} of {where}: {(frame.line or '').strip()}"


def _message(error: BaseException) -> str:
    if isinstance(error, CaseTimeout):
        return str(error)
    return str(error).strip()


def capture(run: Callable[[], Mapping[str, Any]]) -> Outcome:
    """Run ``run`` (which calls the student's code) and turn whatever happens into an Outcome."""
    try:
        produced = run()
    except (Exception, CaseTimeout, SystemExit, KeyboardInterrupt, RecursionError) as error:
        return Outcome(
            error_type=type(error).__name__, error_message=_message(error), error_line=student_line(error)
        )
    if not isinstance(produced, Mapping):
        return Outcome(error_type="HarnessError", error_message="a harness call returned no dict of tensors")
    tensors: Tensors = {}
    size = 0
    for key, value in produced.items():
        if not isinstance(value, torch.Tensor):
            return Outcome(
                error_type="TypeError",
                error_message=f"{key} should be a torch.Tensor but is a {type(value).__name__}",
            )
        try:
            plain = value.detach().as_subclass(torch.Tensor)
            if plain.device.type == "meta" or plain.is_sparse:
                raise TypeError(f"{key} is a {plain.layout} tensor on {plain.device}")
            plain = plain.to("cpu")
        except Exception as error:
            return Outcome(error_type="TypeError", error_message=f"{key} cannot be read back: {error}")
        size += plain.numel() * plain.element_size()
        if size > MAX_OUTCOME_BYTES:
            return Outcome(
                error_type="OutputTooLarge",
                error_message=f"the outputs are larger than {MAX_OUTCOME_BYTES // 2**20} MiB",
            )
        tensors[key] = plain
    return Outcome(tensors=tensors)


# --------------------------------------------------------------------------------------------------
# The program


class CappedOutput(io.TextIOBase):
    """stdout/stderr of the program: the first OUTPUT_CAP characters kept, the rest counted."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        text = str(text)
        if self.size < OUTPUT_CAP:
            self.kept.append(text[: OUTPUT_CAP - self.size])
        self.size += len(text)
        return len(text)

    def writable(self) -> bool:
        return True

    @property
    def truncated(self) -> bool:
        return self.size > OUTPUT_CAP


def _transform(source: str, shell: Any) -> str:
    if shell is not None:
        return shell.transform_cell(source)
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    return TransformerManager().transform_cell(source)


def run_cell(cell: ProgramCell, namespace: dict, shell: Any = None) -> CellReport:
    filename = f"<cell {cell.label}>"
    start = time.perf_counter()
    try:
        code = _transform(cell.source, shell)
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        exec(compile(code, filename, "exec"), namespace)  # noqa: S102 - this is the student's program
    except (Exception, SystemExit, KeyboardInterrupt, CaseTimeout) as error:
        line = student_line(error)
        if isinstance(error, SyntaxError) and error.lineno:
            line = f"line {error.lineno} of cell {cell.label}: {(error.text or '').strip()}"
        return CellReport(
            cell.label,
            cell.role,
            type(error).__name__,
            _message(error)[:400],
            line,
            time.perf_counter() - start,
        )
    return CellReport(cell.label, cell.role, seconds=time.perf_counter() - start)


def resolve_call(name: str) -> Callable[..., Mapping[str, Any]]:
    """A function of ``vitlab.harness.calls`` by 'module:function' (nothing else may be named)."""
    module_name, _, function = name.partition(":")
    if not module_name.startswith(CALLS_PACKAGE) or not function.isidentifier():
        raise ValueError(f"not a harness call: {name!r}")
    return getattr(importlib.import_module(module_name), function)


def _missing(names: tuple[str, ...], namespace: dict, cells: list[CellReport]) -> Outcome | None:
    absent = [n for n in names if n not in namespace]
    if not absent:
        return None
    broken = next((c for c in cells if c.error_type and c.role != "setup"), None)
    why = (
        (
            f": the cell {broken.label} raised {broken.error_type}: {broken.error_message}"
            + (f" ({broken.error_line})" if broken.error_line else "")
        )
        if broken
        else ": define it in its answer cell (did you rename it?)"
    )
    return Outcome(error_type="NameError", error_message=f"{', '.join(absent)} is not defined{why}")


def _shared_shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def _alarm(signum, frame):
    raise CaseTimeout("this check ran out of time (a very slow loop or an endless one?)")


def call_case(case: CaseCall, namespace: dict, cells: list[CellReport], timeout: float | None) -> Outcome:
    missing = _missing(case.names, namespace, cells)
    if missing is not None:
        return missing
    try:
        call = resolve_call(case.call)
    except Exception as error:
        return Outcome(error_type="HarnessError", error_message=f"{type(error).__name__}: {error}")
    objects = {name: namespace[name] for name in case.names}
    if timeout:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        torch.manual_seed(0)
        return capture(lambda: call(objects, case.inputs))
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)


def run_job(folder: Path, shell: Any = None) -> RunReport:
    """Run the job in ``folder`` in this process and write its outputs there."""
    started = time.perf_counter()
    program, calls, settings = wire.read_job(folder)
    if shell is not None:  # a forked child of the zygote: the shell and its namespace are its own
        namespace = shell.user_ns
    else:  # a fresh namespace; IPython's shell only for magics (they run in the shell's own namespace)
        namespace = {"__name__": "__main__", "get_ipython": _shared_shell}
    namespace.setdefault("__name__", "__main__")
    output = CappedOutput()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = output
    cells: list[CellReport] = []
    outcomes: dict[str, Outcome] = {}
    try:
        for cell in program:
            cells.append(run_cell(cell, namespace, shell))
        program_done = time.perf_counter()
        timeout = float(settings.get("case_timeout") or 0) or None
        for case in calls:
            outcomes[case.case_id] = call_case(case, namespace, cells, timeout)
    finally:
        sys.stdout, sys.stderr = saved
    checks_done = time.perf_counter()
    report = RunReport(
        outcomes,
        cells,
        {"program": program_done - started, "checks": checks_done - program_done},
        output.size,
        output.truncated,
    )
    wire.write_outputs(folder, report)
    return report


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m vitlab.harness.runner JOB_FOLDER", file=sys.stderr)
        return 2
    import matplotlib

    matplotlib.use("Agg")
    run_job(Path(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
