"""The student's path, kept honest: the README's commands set up a fresh machine, the release is
self-contained, notebook code is device-clean, and Validate passes on every notebook."""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from grader import samples
from tests.conftest import ROOT, assignments
from vitlab import cells

# --------------------------------------------------------------------------------------------------
# Two commands on a fresh machine


def test_make_test_installs_what_it_needs_before_any_test(tmp_path):
    clone = tmp_path / "fresh"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    plan = subprocess.run(
        ["make", "-n", "test"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout
    lines = plan.splitlines()
    system = next(i for i, line in enumerate(lines) if "system-packages.sh" in line)
    venv = next(i for i, line in enumerate(lines) if "-m venv" in line)
    tests = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert system < tests and venv < tests, plan
    for package in ("dataset-fashion-mnist", "bubblewrap", "chromium"):
        assert package in lines[system]
    ci = (clone / ".ci" / "run").read_text()
    assert "make test" in ci and "apt-get" not in ci  # CI only calls the README's command


def _fake_path(tmp_path: Path, uid: int, sudo: bool) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {"id": f"echo {uid}", "dpkg-query": "exit 1", "apt-get": 'echo apt-get "$@" >> apt.log'}
    if sudo:
        scripts["sudo"] = 'if [ "$1" = "-n" ]; then shift; fi; "$@"'
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}


def test_without_root_or_sudo_one_line_says_what_to_run(tmp_path):
    env = _fake_path(tmp_path, 1000, sudo=False)
    done = subprocess.run(
        ["sh", str(ROOT / "tools" / "system-packages.sh"), "bubblewrap", "chromium"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert (
        done.stderr.strip()
        == "make test needs Debian packages first; run: sudo apt-get install -y bubblewrap chromium"
    )


def test_with_sudo_the_packages_are_installed(tmp_path):
    env = _fake_path(tmp_path, 1000, sudo=True)
    done = subprocess.run(
        ["sh", str(ROOT / "tools" / "system-packages.sh"), "bubblewrap"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "install -y -qq bubblewrap" in (tmp_path / "apt.log").read_text()


# --------------------------------------------------------------------------------------------------
# A self-contained release

#: what the student release ships at its top level (grader/release/student.py)
SHIPPED = {"notebooks", "vitlab", "docs", "pyproject.toml", "environment.yml", "Makefile", "README.md"}
REPO_PATH = re.compile(
    r"(?<![\w./-])((?:benchmarks|solutions|grader|tests|instructor|build|tools|\.ci|\.grading)/[\w./-]*)"
)


def _release_texts():
    """What a student reads: the notebooks and the README's student part."""
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells, 1):
            yield f"{path.relative_to(ROOT)} cell {number}", cells.source(cell)
    from grader.release.student import student_readme

    yield "README (student part)", student_readme((ROOT / "README.md").read_text())


def test_the_release_points_to_nothing_it_does_not_ship():
    found = [f"{where}: {m}" for where, text in _release_texts() for m in REPO_PATH.findall(text)]
    assert not found, "the student release does not ship these:\n" + "\n".join(found)


# --------------------------------------------------------------------------------------------------
# Device-clean notebooks

FACTORIES = {
    "eye",
    "zeros",
    "ones",
    "arange",
    "full",
    "empty",
    "linspace",
    "rand",
    "randn",
    "randint",
    "randperm",
    "tensor",
    "tril",
    "triu",
}
COMBINING = {"cat", "stack", "matmul", "bmm", "mm", "where", "maximum", "minimum", "einsum", "add", "mul"}


def _is_unplaced(node: ast.AST) -> bool:
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "torch")
    ):
        node = node.func.value  # torch.eye(n).expand(...) is still made where torch.eye made it
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "torch"
        and node.func.attr in FACTORIES
        and not any(k.arg == "device" for k in node.keywords)
    )


def _meetings(scope: ast.AST) -> list[list[ast.AST]]:
    """Groups of expressions combined into one tensor: operands of arithmetic, arguments of torch.cat & co."""
    groups = []
    for node in ast.walk(scope):
        if isinstance(node, ast.BinOp):
            groups.append([node.left, node.right])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in COMBINING
        ):
            groups.append([e for arg in node.args for e in (getattr(arg, "elts", None) or [arg])])
    return groups


SIZES = {"shape", "size", "numel", "dim", "item", "dtype", "device", "ndim", "tolist"}
SCALAR_TYPES = {"int", "float", "bool", "str"}


def _tainted_names(scope: ast.FunctionDef) -> set[str]:
    """Names that may hold tensors from outside (arguments, a model's outputs), following assignments."""
    tainted = {
        a.arg
        for a in scope.args.args + scope.args.kwonlyargs
        if not (isinstance(a.annotation, ast.Name) and a.annotation.id in SCALAR_TYPES)
    }
    for _ in range(3):  # a few passes reach a fixed point in notebook-sized functions
        for node in ast.walk(scope):
            if not isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.For):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.iter if isinstance(node, ast.For) else node.value
            if value is not None and _tensorish(value, tainted):
                tainted |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return tainted


def _tensorish(expr: ast.AST, tainted: set[str]) -> bool:
    """Reads a tainted name other than through its size (x.shape[1], len(x) are numbers)."""
    if isinstance(expr, ast.Attribute) and expr.attr in SIZES:
        return False
    if isinstance(expr, ast.Call) and (
        (isinstance(expr.func, ast.Name) and expr.func.id in ("len", "int", "float", "range"))
        or (isinstance(expr.func, ast.Attribute) and expr.func.attr in SIZES)
    ):
        return False
    if isinstance(expr, ast.Name):
        return expr.id in tainted
    return any(_tensorish(child, tainted) for child in ast.iter_child_nodes(expr))


def _cpu_made(expr: ast.AST, made: set[str]) -> bool:
    """Made on the CPU here: a factory without device=, a name bound to one, or an expression of them."""
    return (
        _is_unplaced(expr)
        or (isinstance(expr, ast.Name) and expr.id in made)
        or any(_cpu_made(child, made) for child in ast.iter_child_nodes(expr) if isinstance(child, ast.expr))
    )


def _unplaced_factories(tree: ast.AST) -> list[str]:
    """In a function, a tensor made by torch.<factory>(...) without device= that meets a tensor from
    outside (an argument, a model's output: possibly on the GPU) in arithmetic, cat, matmul..."""
    found = []
    for scope in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        tainted = _tainted_names(scope)
        made = {
            node.targets[0].id
            for node in ast.walk(scope)
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _is_unplaced(node.value)
        }

        for group in _meetings(scope):
            cpu = [e for e in group if _cpu_made(e, made) and not _tensorish(e, tainted)]
            outside = [e for e in group if _tensorish(e, tainted)]
            if cpu and outside:
                found += [f"line {e.lineno}: {ast.unparse(e)[:80]}" for e in cpu]
    return sorted(set(found))


def test_the_device_check_finds_a_tensor_made_on_the_wrong_device():
    bad = "def rollout(weights, device):\n    eye = torch.eye(5)\n    return weights.to(device) + eye"
    good = "def rollout(weights):\n    eye = torch.eye(5, device=weights.device)\n    return weights + eye"
    assert _unplaced_factories(ast.parse(bad)) and not _unplaced_factories(ast.parse(good))


@pytest.mark.parametrize("assignment", assignments())
def test_notebook_code_makes_tensors_on_the_device_of_their_data(assignment):
    found = []
    for number, cell in enumerate(samples.solution_notebook(assignment).cells, 1):
        if cells.is_code(cell) and not cells.is_test(cell):
            tree = ast.parse(re.sub(r"^\s*[%!].*$", "", cells.strip_markers(cells.source(cell)), flags=re.M))
            found += [f"cell {number}, {hit}" for hit in _unplaced_factories(tree)]
    assert not found, (
        f"{assignment}: tensors made without device= next to device-resident data:\n" + "\n".join(found)
    )


# --------------------------------------------------------------------------------------------------
# Validate, as the button does it


def _validator_config(folder: Path):
    """The configuration nbgrader's Validate button loads: the student's JupyterLab config, then the
    notebook server's folder (nbgrader/server_extensions/validate_assignment/handlers.py)."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader

    paths = [str(folder), *jupyter_config_path()]
    app = NbGrader()
    app.config_file_paths.append(paths)
    app.load_config_file()
    return app.config


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_validate_passes_on_the_reference_in_the_students_default_mode(assignment, tmp_path, monkeypatch):
    from nbgrader.validator import Validator

    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(ROOT / ".jupyter-student"))
    monkeypatch.delenv("VITLAB_FAST", raising=False)  # the student's default: full mode, experiments off
    monkeypatch.setenv("VITLAB_HIDDEN", "0")  # a student's checkout has no instructor package
    monkeypatch.chdir(tmp_path)
    solution = samples.solution_notebook(assignment)
    submitted = samples.fill(samples.release_notebook(assignment), solution, samples.reference(assignment))
    path = tmp_path / f"{assignment}.ipynb"
    nbformat.write(submitted, path)
    result = Validator(config=_validator_config(tmp_path)).validate(str(path))
    assert not result.get("failed") and result.get("passed") is not False, result
    assert "changed" not in result and "mismatch" not in result, result
