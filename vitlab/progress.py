"""Your progress at a glance: every exercise's public checks, one line each.

    python -m vitlab.progress                   # every notebook under ./notebooks  (make check)
    python -m vitlab.progress notebooks/01_patchify/patchify.ipynb -v

For each notebook this runs what the grader runs, in the same way: the grading program (the
notebook's setup cells, your answer cells and any cell you added; not the demonstrations) in a
fresh Python process, in quick mode, then every exercise's public checks on inputs made here,
judged here from the outputs that process hands back. The notebook file is only read, never written
(save it in JupyterLab first). The table says ``passed``, ``pending`` (not implemented yet) or the
diagnosis in one line; ``-v`` adds the whole diagnosis with its fix.

Exit status: 0 when every notebook could be checked (whatever the verdicts), 2 when no notebook was
found; with ``--strict``, 1 unless every exercise passed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PASSED, PENDING, FAILED, ERROR = "passed", "pending", "failed", "error"


@dataclass(frozen=True)
class Result:
    """The verdict on one exercise (one test cell) of one notebook."""

    notebook: str  # "01_patchify/patchify.ipynb"
    exercise: str  # the test cell's grade id, e.g. "test_patchify"
    status: str  # passed | pending | failed | error
    summary: str = ""  # the diagnosis in one line ("" when passed or pending)
    detail: str = ""  # the whole diagnosis (shown with -v)

    @property
    def verdict(self) -> str:
        return self.status if self.status in (PASSED, PENDING) else self.summary


def find_notebooks(paths: list[str | Path]) -> list[Path]:
    """The notebooks named, or found under the folders named (checkpoints left out), in order."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
    return list(dict.fromkeys(found))


def _one_line(text: str, width: int = 200) -> str:
    line = " ".join(text.split("\nFix:")[0].split())
    line = line.replace("this looks like a typical mistake:", "typical mistake:")
    return line if len(line) <= width else line[: width - 1] + "…"


def run_program(job: Path, timeout: float, fast: bool) -> str:
    """Run the job in a fresh interpreter (in its own folder); '' on success, else why not."""
    env = dict(os.environ, MPLBACKEND="Agg", **({"VITLAB_FAST": "1"} if fast else {}))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "vitlab.harness.runner", str(job)],
            cwd=job,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"your notebook's code ran longer than {timeout:g} s (an endless loop? or use --timeout)"
    if done.returncode != 0:
        last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return f"your notebook's code stopped the checks (exit status {done.returncode}: {last[0][:160]})"
    return ""


def check_notebook(
    path: Path, *, timeout: float = 300, root: Path | None = None, fast: bool = True
) -> list[Result]:
    """Check one notebook: its program in a fresh process, its public checks judged here."""
    import nbformat

    from vitlab.checks import program, session
    from vitlab.harness import wire

    label = _label(path, root)
    nb = nbformat.read(path, as_version=4)
    prog = program.build(nb, nb)  # a student's copy is its own source: its setup cells are locked
    plan = session.plan_notebook(prog.test_ids, hidden=False)
    unknown = [g for g in prog.test_ids if g not in plan.grade_ids]
    with tempfile.TemporaryDirectory(prefix="vitlab-check-") as scratch:
        job = Path(scratch)
        wire.write_job(job, list(prog.cells), plan.calls(), {"case_timeout": timeout})
        stopped = run_program(job, timeout, fast)
        report = None if stopped else wire.read_outputs(job)
    results = [
        Result(
            label, g, ERROR, "no checks are registered for this test cell (is the course package up to date?)"
        )
        for g in unknown
    ]
    if report is None:
        return [Result(label, g, ERROR, _one_line(stopped), stopped) for g in plan.grade_ids] + results
    judged = session.judge_outcomes(plan, report.outcomes, prog.student_cells, prog.setup_sources)
    for grade_id in plan.grade_ids:
        result = judged[grade_id]
        summary = result.summary()
        results.append(
            Result(label, grade_id, result.status, "" if result.passed else _one_line(summary), summary)
        )
    order = {g: i for i, g in enumerate(prog.test_ids)}
    return sorted(results, key=lambda r: order.get(r.exercise, 0))


def _label(path: Path, root: Path | None) -> str:
    path = path.resolve()
    for base in ([root.resolve()] if root else []) + [Path.cwd() / "notebooks", Path.cwd()]:
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return path.name


def check(paths: list[str | Path], *, timeout: float = 300, fast: bool = True) -> list[Result]:
    notebooks = find_notebooks(paths)
    folders = [Path(p) for p in paths if Path(p).is_dir()]
    root = folders[0] if len(folders) == 1 else None
    results: list[Result] = []
    for path in notebooks:
        results += check_notebook(path, timeout=timeout, root=root, fast=fast)
    return results


def table(results: list[Result], *, verbose: bool = False) -> str:
    headers = ("notebook", "exercise", "result")
    rows = [(r.notebook, r.exercise, r.verdict) for r in results]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers[:2])]
    lines = [
        f"{headers[0]:<{widths[0]}}  {headers[1]:<{widths[1]}}  {headers[2]}",
        f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 6}",
    ]
    previous = None
    for notebook, exercise, verdict in rows:
        shown = notebook if notebook != previous else ""
        previous = notebook
        lines.append(f"{shown:<{widths[0]}}  {exercise:<{widths[1]}}  {verdict}")
    counts = {s: sum(r.status == s for r in results) for s in (PASSED, PENDING, FAILED, ERROR)}
    lines.append("")
    lines.append(
        f"{counts[PASSED]} of {len(results)} exercises passed, {counts[PENDING]} pending, "
        f"{counts[FAILED] + counts[ERROR]} failing."
    )
    if verbose:
        for r in results:
            if r.status in (FAILED, ERROR) and r.detail:
                lines += ["", f"{r.notebook} · {r.exercise}:"]
                lines += [f"  {line}" for line in r.detail.splitlines()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vitlab.progress", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each failure's whole diagnosis")
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds a notebook's code may run (default 300)"
    )
    parser.add_argument("--strict", action="store_true", help="exit with 1 unless every exercise passed")
    args = parser.parse_args(argv)
    paths = args.paths or ["notebooks"]
    if not find_notebooks(paths):
        print(f"no notebooks found in {' '.join(map(str, paths))}", file=sys.stderr)
        return 2
    start = time.monotonic()
    results = check(paths, timeout=args.timeout)
    print(table(results, verbose=args.verbose))
    print(
        f"(public checks only, quick mode; {time.monotonic() - start:.0f} s. "
        "Hidden checks with other inputs run when your work is graded.)"
    )
    if args.strict and any(r.status != PASSED for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
