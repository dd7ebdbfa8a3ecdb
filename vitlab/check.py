"""Your progress at a glance: run the public tests of every notebook and print one line per exercise.

    python -m vitlab.check                   # every notebook under ./notebooks
    python -m vitlab.check notebooks/01_patchify/patchify.ipynb -v

Each notebook runs top to bottom in its own fresh kernel, in quick mode (``VITLAB_FAST=1``), the
way "Restart Kernel and Run All Cells" would; the files are only read, never written (the run
works on an in-memory copy, so your saved outputs stay as they are). For every test cell (an
nbgrader cell with points) the table says ``passed``, ``pending`` (not implemented yet) or the
diagnosis of its public check in one line; ``-v`` adds the whole diagnosis with its fix.

Exit status: 0 when every notebook could be run (whatever the verdicts), 2 when no notebook was
found; with ``--strict``, 1 unless every exercise passed.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PASSED, PENDING, FAILED, ERROR = "passed", "pending", "failed", "error"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_NOT_IMPLEMENTED = "not implemented yet"


@dataclass(frozen=True)
class Result:
    """The verdict on one exercise (one test cell) of one notebook."""

    notebook: str  # "01_patchify/patchify.ipynb"
    exercise: str  # the test cell's grade_id, e.g. "test_patchify"
    status: str  # passed | pending | failed | error
    summary: str = ""  # the diagnosis in one line ("" when passed or pending)
    detail: str = ""  # the whole diagnosis (shown with -v)

    @property
    def verdict(self) -> str:
        return self.status if self.status in (PASSED, PENDING) else self.summary


# --------------------------------------------------------------------------------------------------
# Finding notebooks and their cells


def find_notebooks(paths: list[str | Path]) -> list[Path]:
    """The notebooks named, or found under the folders named (checkpoints left out), in order."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
    return list(dict.fromkeys(found))


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_answer(cell) -> bool:
    return cell.get("cell_type") == "code" and bool(_nbgrader(cell).get("solution"))


def _clean(text: str) -> str:
    return _ANSI.sub("", text).strip()


def _one_line(text: str, width: int = 200) -> str:
    line = " ".join(_clean(text).split())
    return line if len(line) <= width else line[: width - 1] + "…"


_TIMED_OUT = "vitlab_check_timed_out"  # set on the in-memory copy of a cell stopped after --timeout


def _error(cell):
    if cell.get("metadata", {}).get(_TIMED_OUT):
        return {"output_type": "error", "ename": "KeyboardInterrupt", "evalue": ""}
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


# --------------------------------------------------------------------------------------------------
# Reading verdicts off an executed notebook


def _diagnosis(error) -> str:
    """A check failure's own message (what the student sees under the cell), without colours."""
    if error.get("ename") == "CheckFailure":
        lines = [_clean(line) for line in error.get("traceback", [])]
        text = "\n".join(line for line in lines if line)
        return text.removeprefix("✗ ").strip() or _clean(error.get("evalue", ""))
    return f"{error.get('ename')}: {_clean(error.get('evalue', ''))}".strip()


def verdicts(nb, notebook: str, timeout: float | None = None) -> list[Result]:
    """One Result per test cell of an executed notebook."""
    results: list[Result] = []
    answers_above: list = []  # answer cells since the previous test cell
    first_broken = None  # the first other cell that raised (a setup cell, a plot)
    for number, cell in enumerate(nb.cells, 1):
        if is_answer(cell):
            answers_above.append(cell)
        elif is_test(cell):
            name = _nbgrader(cell).get("grade_id") or f"test cell {len(results) + 1}"
            results.append(_verdict(cell, answers_above, first_broken, notebook, name, timeout))
            answers_above = []
        elif first_broken is None and cell.get("cell_type") == "code" and _error(cell) is not None:
            first_broken = (number, cell)
    return results


def _raised(error, what: str, timeout: float | None) -> str:
    if error.get("ename") == "KeyboardInterrupt" and timeout:
        return f"{what} was stopped after {timeout:g} s (an endless loop? or use --timeout)"
    return f"{what} raised {error.get('ename')}: {_clean(error.get('evalue', ''))}"


def _verdict(cell, answers_above: list, first_broken, notebook: str, name: str,
             timeout: float | None) -> Result:
    if cell.get("execution_count") is None and not cell.get("outputs"):
        return Result(notebook, name, ERROR, "not run (the kernel stopped before this cell)")
    error = _error(cell)
    if error is None:
        return Result(notebook, name, PASSED)
    text = _diagnosis(error)
    if error.get("ename") == "CheckFailure":
        if _NOT_IMPLEMENTED in text:
            return Result(notebook, name, PENDING, detail=text)
        message = [line for line in text.splitlines()[1:] if not line.strip().startswith("Fix:")]
        summary = " ".join(message).replace("this looks like a typical mistake:", "typical mistake:")
        return Result(notebook, name, FAILED, _one_line(summary or text), text)
    # Not a check's diagnosis: most often a cell above failed (the answer, or the setup), so say which.
    for answer in answers_above:
        broken = _error(answer)
        if broken is None:
            continue
        if broken.get("ename") == "NotImplementedError":
            return Result(notebook, name, PENDING)
        msg = _raised(broken, f"your `{_nbgrader(answer).get('grade_id', 'answer')}` cell", timeout)
        return Result(notebook, name, ERROR, _one_line(msg), msg)
    if error.get("ename") == "KeyboardInterrupt":
        msg = _raised(error, "the test cell", timeout)
    elif first_broken is not None:
        number, broken = first_broken
        above = _raised(_error(broken), f"cell {number} (above)", timeout)
        msg = f"{above}; then the test cell raised {text}"
    else:
        msg = f"the test cell raised {text}"
    return Result(notebook, name, ERROR, _one_line(msg), msg)


# --------------------------------------------------------------------------------------------------
# Running


def _client_class():
    """nbclient's client, marking each cell it stops after the timeout (its output may not say so)."""
    from nbclient import NotebookClient

    class Client(NotebookClient):
        async def _async_handle_timeout(self, timeout, cell=None):
            if cell is not None:
                cell.metadata[_TIMED_OUT] = True
            return await super()._async_handle_timeout(timeout, cell)

    return Client


def _kernel_manager_class():
    """Kernels of this interpreter only: a user's own 'python3' kernelspec (another Python) is ignored."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class NativeKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _native_only(self):
            return KernelSpecManager(parent=self, kernel_dirs=[])

    return NativeKernelManager


def run_notebook(path: Path, *, timeout: float = 300, root: Path | None = None,
                 fast: bool = True) -> list[Result]:
    """Execute a copy of ``path`` in a fresh kernel and read the verdicts off its test cells."""
    import nbformat
    from nbclient.exceptions import DeadKernelError

    path = Path(path)
    label = _label(path, root)
    nb = nbformat.read(path, as_version=4)  # the in-memory copy: nothing is ever written back
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs, cell.execution_count = [], None
    stopped = ""
    # the notebook runs in a scratch copy of its folder: files it writes (checkpoints, data) stay out
    # of the student's folder
    with tempfile.TemporaryDirectory(prefix="vitlab-check-") as scratch:
        workdir = Path(scratch) / "work"
        shutil.copytree(path.parent, workdir, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.ipynb"))
        client = _client_class()(nb, kernel_manager_class=_kernel_manager_class(), kernel_name="python3",
                                timeout=timeout, interrupt_on_timeout=True,
                                allow_errors=True, record_timing=False,
                                resources={"metadata": {"path": str(workdir)}})
        try:
            # figures are drawn but not shown; the kernel's own warnings are not the student's business
            env = dict(os.environ, MPLBACKEND="Agg", **({"VITLAB_FAST": "1"} if fast else {}))
            client.execute(env=env, stderr=subprocess.DEVNULL)
        except DeadKernelError:
            stopped = "the kernel died in a cell above (out of memory? a crash?)"
        except Exception as error:  # a kernel that cannot start, a notebook nbclient cannot run
            stopped = f"{type(error).__name__}: {_one_line(str(error), 120)}"
    results = verdicts(nb, label, timeout)
    if stopped:
        results = [r if r.status != ERROR or not r.summary.startswith("not run") else
                   Result(r.notebook, r.exercise, ERROR, f"not run: {stopped}") for r in results]
    return results


def _label(path: Path, root: Path | None) -> str:
    path = path.resolve()
    for base in ([root.resolve()] if root else []) + [Path.cwd() / "notebooks", Path.cwd()]:
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return path.name


def check(paths: list[str | Path], *, timeout: float = 300, fast: bool = True) -> list[Result]:
    """Run every notebook found under ``paths`` (one kernel each, one after the other)."""
    notebooks = find_notebooks(paths)
    folders = [Path(p) for p in paths if Path(p).is_dir()]
    root = folders[0] if len(folders) == 1 else None
    results: list[Result] = []
    for path in notebooks:
        results += run_notebook(path, timeout=timeout, root=root, fast=fast)
    return results


# --------------------------------------------------------------------------------------------------
# Display


def table(results: list[Result], *, verbose: bool = False) -> str:
    headers = ("notebook", "exercise", "result")
    rows = [(r.notebook, r.exercise, r.verdict) for r in results]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers[:2])]
    lines = [f"{headers[0]:<{widths[0]}}  {headers[1]:<{widths[1]}}  {headers[2]}",
             f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 6}"]
    previous = None
    for notebook, exercise, verdict in rows:
        shown = notebook if notebook != previous else ""
        previous = notebook
        lines.append(f"{shown:<{widths[0]}}  {exercise:<{widths[1]}}  {verdict}")
    counts = {s: sum(r.status == s for r in results) for s in (PASSED, PENDING, FAILED, ERROR)}
    lines.append("")
    lines.append(f"{counts[PASSED]} of {len(results)} exercises passed, {counts[PENDING]} pending, "
                 f"{counts[FAILED] + counts[ERROR]} failing.")
    if verbose:
        for r in results:
            if r.status in (FAILED, ERROR) and r.detail:
                lines += ["", f"{r.notebook} · {r.exercise}:"]
                lines += [f"  {line}" for line in r.detail.splitlines()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vitlab.check", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each failure's whole diagnosis")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one cell may run (default 300)")
    parser.add_argument("--strict", action="store_true", help="exit with 1 unless every exercise passed")
    args = parser.parse_args(argv)
    paths = args.paths or ["notebooks"]
    if not find_notebooks(paths):
        print(f"no notebooks found in {' '.join(map(str, paths))}", file=sys.stderr)
        return 2
    start = time.monotonic()
    results = check(paths, timeout=args.timeout)
    print(table(results, verbose=args.verbose))
    print(f"(public tests only, quick mode; {time.monotonic() - start:.0f} s. "
          "Hidden tests with other inputs run when your work is graded.)")
    if args.strict and any(r.status != PASSED for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
