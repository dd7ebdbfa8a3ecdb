"""What students get: the bundle holds nothing instructor-only and its blank notebooks work."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from grader import samples
from grader.release import student as student_release

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The zip unpacked, and its package installed (from a copy) into a private folder."""
    build = tmp_path_factory.mktemp("build")
    _, archive = student_release.build(build)
    unpacked = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(unpacked)
    bundle = unpacked / student_release.NAME
    source = shutil.copytree(bundle, unpacked / "pip-source")  # pip leaves build files behind
    site = unpacked / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(source),
        ],
        check=True,
    )
    return bundle, site


@pytest.fixture(scope="module")
def student_kernel(installed, tmp_path_factory):
    """A kernel that sees the bundle's vitlab and the third-party packages, but not the instructor's
    editable install: `python -S` skips site-packages' .pth files, PYTHONPATH adds the rest."""
    _, site = installed
    third_party = [p for p in sys.path if p.endswith("site-packages")]
    spec_dir = tmp_path_factory.mktemp("jupyter") / "kernels" / "vitlab-student"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-S", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "student",
                "language": "python",
                "env": {"PYTHONPATH": os.pathsep.join([str(site), *third_party]), "MPLBACKEND": "Agg"},
            }
        )
    )
    return spec_dir.parent.parent


def test_bundle_has_only_student_material(installed):
    bundle, site = installed
    names = {p.name for p in bundle.iterdir()}
    assert names == {
        "notebooks",
        "vitlab",
        "pyproject.toml",
        "environment.yml",
        "Makefile",
        "README.md",
        ".gitignore",
        "docs",
        ".jupyter-student",
    }
    assert student_release.audit(bundle) == []
    assert not (site / "vitlab" / "hidden").exists()
    text = "\n".join(p.read_text(errors="ignore") for p in bundle.rglob("*") if p.is_file())
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "vitlab.hidden", "For instructors"):
        assert secret not in text
    assert "make lab" in (bundle / "README.md").read_text()


def test_audit_catches_an_instructor_file(tmp_path):
    (tmp_path / "vitlab" / "hidden").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "x.py").write_text("### BEGIN HIDDEN TESTS\n")
    problems = student_release.audit(tmp_path)
    assert any("instructor-only folder" in p for p in problems) and any(
        "BEGIN HIDDEN TESTS" in p for p in problems
    )


def test_blank_notebook_runs_its_public_tests_from_the_bundle(installed, student_kernel, monkeypatch):
    bundle, site = installed
    monkeypatch.setenv("JUPYTER_PATH", str(student_kernel))
    for path in sorted((bundle / "notebooks").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(
            0,
            nbformat.v4.new_code_cell(
                "import vitlab, importlib.util\n"
                f"assert vitlab.__file__.startswith({str(site)!r}), vitlab.__file__\n"
                "assert importlib.util.find_spec('vitlab.hidden') is None"
            ),
        )
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="vitlab-student",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        assert not any(o.output_type == "error" for o in nb.cells[0].outputs), nb.cells[0].outputs
        tests = [c for c in nb.cells if samples.is_test(c)]
        assert tests, f"{path.name} has no test cells"
        for cell in tests:
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert errors and errors[0].ename == "CheckFailure", f"{path.name}: {cell.source[:60]}"
            assert "not implemented yet" in "\n".join(errors[0].traceback)
        setup = nb.cells[
            [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells].index("setup")
        ]
        printed = "".join(o.get("text", "") for o in setup.outputs)
        assert not any(o.output_type == "error" for o in setup.outputs), printed
