"""`make check` / `python -m vitlab.check`: the student's progress table, read off real kernel runs."""
from __future__ import annotations

import ast
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader import samples
from vitlab import check

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "notebooks"
MISTAKE = samples.SAMPLES / "01_patchify" / "patchify_column_major.py"


def released() -> list[Path]:
    return check.find_notebooks([RELEASE])


def graded_cells(path: Path) -> list[str]:
    return [samples.grade_id(c) for c in nbformat.read(path, as_version=4).cells if samples.is_test(c)]


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def this_checkout(monkeypatch):
    """Kernels import vitlab from this checkout, whatever else is installed."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))


def write(folder: Path, sample_for) -> Path:
    """The release under folder/notebooks, each notebook filled as sample_for(assignment) says."""
    for path in released():
        target = folder / "notebooks" / path.relative_to(RELEASE)
        target.parent.mkdir(parents=True, exist_ok=True)
        solution = ROOT / "solutions" / path.relative_to(RELEASE)
        sample = sample_for(path.parent.name)
        if sample is None or not solution.exists():
            shutil.copy(path, target)
            continue
        release_nb = nbformat.read(path, as_version=4)
        nbformat.write(samples.fill(release_nb, nbformat.read(solution, as_version=4), sample), target)
    return folder / "notebooks"


# --------------------------------------------------------------------------------------------------
# Whole notebooks in real kernels (slow)


@pytest.mark.slow
def test_blank_release_is_all_pending_and_left_untouched(tmp_path):
    notebooks = write(tmp_path, lambda assignment: None)
    before = digest(notebooks)
    run = subprocess.run([sys.executable, "-m", "vitlab.check", str(notebooks)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr
    expected = [(p.relative_to(RELEASE), t) for p in released() for t in graded_cells(p)]
    assert expected, "the release has no test cells"
    rows = [line for line in run.stdout.splitlines() if line.rstrip().endswith("pending")]
    assert len(rows) == len(expected), run.stdout
    assert f"0 of {len(expected)} exercises passed, {len(expected)} pending, 0 failing." in run.stdout
    assert digest(notebooks) == before, "vitlab.check changed the notebooks"
    assert not list(notebooks.rglob(".ipynb_checkpoints"))


@pytest.mark.slow
def test_reference_is_all_passed(tmp_path):
    notebooks = write(tmp_path, samples.reference)
    before = digest(notebooks)
    results = check.check([notebooks])
    assert results and all(r.status == check.PASSED for r in results), check.table(results, verbose=True)
    assert {r.exercise for r in results} == {t for p in released() for t in graded_cells(p)}
    assert digest(notebooks) == before


@pytest.mark.slow
def test_a_typical_mistake_is_named(tmp_path, capsys):
    mistake = samples.load(MISTAKE)
    notebooks = write(tmp_path, lambda a: mistake if a == mistake.assignment else None)
    path = next(notebooks.glob(f"{mistake.assignment}/*.ipynb"))
    before = digest(notebooks)
    assert check.main([str(path), "-v"]) == 0
    assert check.main([str(path), "--strict"]) == 1
    out = capsys.readouterr().out
    results = {r.exercise: r for r in check.run_notebook(path)}
    for test, name in mistake.expects:
        assert results[test].status == check.FAILED
        assert name in results[test].summary and "\n" not in results[test].summary
        assert name in out
    assert "Fix:" in out  # -v shows the whole diagnosis
    assert "Traceback" not in out and "CheckFailure" not in out
    assert digest(notebooks) == before


# --------------------------------------------------------------------------------------------------
# Reading verdicts off executed cells (fast)


def _cell(kind: str, grade_id: str, outputs: list, count: int | None = 1):
    meta = {"grade_id": grade_id, "grade": kind == "test", "solution": kind == "answer"}
    cell = nbformat.v4.new_code_cell("...", metadata={"nbgrader": meta})
    cell.outputs, cell.execution_count = [nbformat.NotebookNode(o) for o in outputs], count
    return cell


def _error(ename: str, evalue: str, traceback: list[str] | None = None) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback or [evalue]}


def test_verdicts_of_each_kind():
    ok = {"output_type": "stream", "name": "stdout", "text": "✓ f: all 3 checks passed.\n"}
    failure = _error("CheckFailure", "f: case: this looks like a typical mistake: wrong axis.\nFix: dim=-1.",
                     ["\x1b[31m\x1b[1m✗ f: case\x1b[0m", "  this looks like a typical mistake: wrong axis.",
                      "  Fix: dim=-1."])
    pending = _error("CheckFailure", "g: case: not implemented yet: replace ...",
                     ["✗ g: case", "  not implemented yet: replace `raise NotImplementedError()` ..."])
    setup = nbformat.v4.new_code_cell("import torch", metadata={check._TIMED_OUT: True})
    setup.outputs = [nbformat.v4.new_output("stream", name="stderr", text="KeyboardInterrupt")]
    nb = nbformat.v4.new_notebook(cells=[
        _cell("answer", "f", []), _cell("test", "test_f", [ok]),
        _cell("answer", "g", []), _cell("test", "test_g", [failure]),
        _cell("answer", "h", []), _cell("test", "test_h", [pending]),
        _cell("answer", "i", [_error("SyntaxError", "invalid syntax (123.py, line 2)")]),
        _cell("test", "test_i", [_error("NameError", "name 'i' is not defined")]),
        _cell("answer", "j", [_error("NotImplementedError", "")]),
        _cell("test", "test_j", [_error("NameError", "name 'j' is not defined")]),
        _cell("test", "test_k", [_error("KeyboardInterrupt", "")]),
        _cell("test", "test_l", [], count=None),
    ])
    late = nbformat.v4.new_notebook(cells=[setup, _cell("test", "test_m", [_error("NameError", "name 'x'")])])
    got = {r.exercise: r for r in check.verdicts(nb, "nb.ipynb", timeout=60)}
    assert got["test_f"].verdict == "passed"
    assert got["test_g"].status == "failed" and got["test_g"].summary == "typical mistake: wrong axis."
    assert "Fix: dim=-1." in got["test_g"].detail
    assert got["test_h"].verdict == "pending"
    assert got["test_i"].status == "error"
    assert got["test_i"].summary.startswith("your `i` cell raised SyntaxError")
    assert got["test_j"].verdict == "pending"
    assert "stopped after 60 s" in got["test_k"].summary
    assert got["test_l"].summary.startswith("not run")
    (m,) = check.verdicts(late, "nb.ipynb", timeout=60)
    assert m.summary.startswith("cell 1 (above) was stopped after 60 s") and "NameError" in m.summary
    table = check.table(list(got.values()))
    assert "1 of 7 exercises passed, 2 pending, 4 failing." in table
    assert all("\n" not in r.verdict for r in got.values())


def test_no_notebooks_is_an_error(tmp_path, capsys):
    assert check.main([str(tmp_path)]) == 2
    assert "no notebooks found" in capsys.readouterr().err


def test_ships_to_students_without_instructor_code():
    """vitlab/check.py is in the student bundle: it may import neither grader nor vitlab.hidden."""
    tree = ast.parse((ROOT / "vitlab" / "check.py").read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and (m.startswith("grader") or "hidden" in m) for m in modules), modules
