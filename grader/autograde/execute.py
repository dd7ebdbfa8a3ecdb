"""Run one graded notebook in its sandboxed kernel and take what came out of it.

The client (nbclient, in the grader's process) executes the cells one by one. After each cell it
moves the outcome records the checks wrote during that cell out of the sandbox into a folder the
kernel cannot see, so later code cannot touch them and each record belongs to the cell that ran it.
Outputs are capped; a cell past its time limit, a kernel past the notebook's wall time, a dead
kernel and a memory failure each end the run with a status.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from grader.sandbox import Limits, Sandbox, kernel_manager

MEMORY_SIGNS = (
    "MemoryError",
    "can't allocate memory",
    "Cannot allocate memory",
    "bad_alloc",
    "out of memory",
    "failed to map segment",
)
MAX_RECORDS = 10_000


@dataclass
class Execution:
    status: str = "ok"  # ok, timeout, memory, crashed
    message: str = ""
    records: dict[int, list[Path]] = field(default_factory=dict)  # cell index -> record files, in order
    executed: set[int] = field(default_factory=set)  # cells that ran to the end
    truncated: bool = False


class GradingClient(NotebookClient):
    """nbclient that moves each cell's records out of the sandbox and caps the outputs."""

    def __init__(self, nb, km, sandbox: Sandbox, store: Path, limits: Limits, **kwargs):
        super().__init__(
            nb,
            km=km,
            timeout=limits.cell_timeout,
            allow_errors=True,
            record_timing=False,
            interrupt_on_timeout=False,
            iopub_timeout=10,
            **kwargs,
        )
        self.sandbox, self.store, self.limits = sandbox, store, limits
        self.kept = 0
        self.result = Execution()

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        try:
            out = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            self.result.executed.add(cell_index)
            return out
        finally:
            self._take_records(cell_index)

    def _take_records(self, cell_index: int) -> None:
        try:
            names = os.listdir(self.sandbox.records)
        except OSError:
            return
        if len(names) > MAX_RECORDS:
            names = sorted(names)[:MAX_RECORDS]
        target = self.store / str(cell_index)
        taken = []
        for name in sorted(names):
            target.mkdir(parents=True, exist_ok=True)
            try:  # a rename moves a link as a link; the reader never follows links
                os.rename(self.sandbox.records / name, target / name)
                taken.append(target / name)
            except OSError:
                continue
        if taken:
            self.result.records.setdefault(cell_index, []).extend(taken)

    def output(self, outs, msg, display_id, cell_index):
        size = sum(len(str(v)) for v in msg.get("content", {}).values())
        if self.kept + size > self.limits.output:
            self.result.truncated = True
            return None
        self.kept += size
        return super().output(outs, msg, display_id, cell_index)


def memory_failure(nb: nbformat.NotebookNode, log: str = "") -> bool:
    texts = [log]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                texts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
    return any(sign in text for text in texts for sign in MEMORY_SIGNS)


def run_notebook(nb: nbformat.NotebookNode, sandbox: Sandbox, store: Path, limits: Limits) -> Execution:
    """Execute ``nb`` in place inside ``sandbox``; records end up under ``store``."""
    km = kernel_manager(sandbox)
    client = GradingClient(nb, km, sandbox, store, limits)
    log_path = sandbox.scratch.parent / "kernel.log"
    timed_out = threading.Event()

    def kill() -> None:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None:
            try:
                os.kill(process.pid, signal.SIGKILL)
            except OSError:
                pass

    def wall_time_over() -> None:
        timed_out.set()
        kill()

    watchdog = threading.Timer(limits.notebook_timeout, wall_time_over)
    watchdog.daemon = True
    result = client.result
    with log_path.open("wb") as log:
        watchdog.start()
        try:
            client.execute(stdout=log, stderr=log)
        except CellTimeoutError:
            result.status, result.message = (
                "timeout",
                (f"a cell ran longer than {limits.cell_timeout} s (an endless loop?) and was stopped"),
            )
        except DeadKernelError:
            result.status, result.message = (
                "crashed",
                (
                    "the kernel died while running your notebook "
                    "(os._exit, a crash, or a file past the size limit)"
                ),
            )
        except Exception as error:  # the kernel could not start, a protocol error...
            result.status, result.message = (
                "crashed",
                f"the notebook could not run ({type(error).__name__}: {error})"[:300],
            )
        finally:
            watchdog.cancel()
            try:
                if km.has_kernel:
                    run_sync(km.shutdown_kernel)(now=True)
            except Exception:
                kill()
    if timed_out.is_set():
        result.status, result.message = "timeout", f"the notebook ran longer than {limits.notebook_timeout} s"
    log_text = log_path.read_bytes()[-20000:].decode("utf-8", "replace") if log_path.exists() else ""
    if result.status in ("ok", "crashed") and memory_failure(
        nb, log_text if result.status == "crashed" else ""
    ):
        result.status, result.message = (
            "memory",
            (
                f"the notebook tried to use more than the memory limit "
                f"({limits.memory // 1024**3} GiB) and was stopped"
            ),
        )
    return result


def scratch_space() -> Path:
    """A short private folder (unix socket paths must stay under 108 characters)."""
    return Path(tempfile.mkdtemp(prefix="vg"))


def cleanup(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
