"""The optional full notebook run (``--executed``): the student's whole notebook, figures and all,
executed in a sandboxed kernel, for the feedback only. Never used for scores.

The notebook runs as the student handed it in, except that test cells become a comment (the checks
are not in the sandbox; the scores come from :mod:`.worker`) and setup cells are the source's,
without their import of the checks. The executed copy lands in ``RUN/executed/<student>/...``.
The kernel runs in the worker's sandbox setup (:class:`.sandbox.Box`), talking to the client over
unix sockets in a folder bound into the sandbox.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from traitlets import Any

from grader.autograde.sandbox import Box, base_env
from vitlab import cells
from vitlab.checks import program

TEST_NOTE = "# graded outside your notebook: see your feedback page for this test's checks"


def prepared(submitted: nbformat.NotebookNode, source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    setups = {cells.grade_id(c): c for c in source.cells if cells.is_setup(c)}
    nb = copy.deepcopy(submitted)
    for cell in nb.cells:
        if not cells.is_code(cell):
            continue
        cell["outputs"], cell["execution_count"] = [], None
        if cells.is_test(cell):
            cell.source = TEST_NOTE
        elif cells.grade_id(cell) in setups:
            cell.source = program.without_checks_import(cells.source(setups[cells.grade_id(cell)]))
    return nb


class SandboxKernelManager(AsyncKernelManager):
    """A kernel started inside the sandbox, over ipc."""

    box = Any()
    kernel_dir = Any()

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        import sys

        inner = [
            str(Path(sys.prefix) / "bin" / "python"),
            "-m",
            "ipykernel_launcher",
            "-f",
            self.connection_file,
        ]
        return self.box.wrap(inner + list(extra_arguments or []), base_env("/scratch"))

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        if self.box.uid is not None:
            os.chown(self.connection_file, self.box.uid, self.box.uid)


def executed_copy(job, box: Box, run_dir: Path) -> Path | None:
    """Run the whole notebook in a sandboxed kernel; the executed copy's path (None when unreadable)."""
    from nbclient import NotebookClient

    from grader.autograde.worker import read_notebook, source_notebook

    nb, _ = read_notebook(Path(job.path))
    if nb is None:
        return None
    nb = prepared(nb, source_notebook(job.assignment, job.notebook))
    kernel_dir = Path(tempfile.mkdtemp(prefix="vk"))
    if box.uid is not None:
        os.chown(kernel_dir, box.uid, box.uid)
    kernel_box = copy.copy(box)
    kernel_box.extra_binds = [*box.extra_binds, (str(kernel_dir), str(kernel_dir))]
    kernel_box.memory = None  # the kernel is not the warm runner: address-space limit only
    km = SandboxKernelManager(
        kernel_name="python3",
        transport="ipc",
        ip=str(kernel_dir / "k"),
        connection_file=str(kernel_dir / "kernel.json"),
    )
    km.box, km.kernel_dir = kernel_box, kernel_dir
    client = NotebookClient(
        nb, km=km, timeout=box.limits.wall_seconds, allow_errors=True, record_timing=False
    )
    try:
        client.execute()
    except Exception as error:  # a dead kernel, a time-out: keep what ran, say why the rest did not
        nb.cells.append(
            nbformat.v4.new_markdown_cell(
                f"**The run stopped here:** {type(error).__name__}: {str(error)[:300]}"
            )
        )
    finally:
        shutil.rmtree(kernel_dir, ignore_errors=True)
    target = run_dir / "executed" / job.student / job.assignment / f"{job.notebook}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target
