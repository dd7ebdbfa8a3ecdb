"""What students get: the bundle holds nothing instructor-only and its blank notebooks work."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from grader import samples, student_release

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The zip unpacked and its package installed into a private folder (no instructor code on the path)."""
    build = tmp_path_factory.mktemp("build")
    _, archive = student_release.build(build)
    unpacked = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(unpacked)
    bundle = unpacked / student_release.NAME
    site = unpacked / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(bundle)], check=True)
    return bundle, site


def test_bundle_has_only_student_material(installed):
    bundle, site = installed
    names = {p.name for p in bundle.iterdir()}
    assert names == {"notebooks", "vitlab", "pyproject.toml", "environment.yml", "Makefile", "README.md", ".gitignore"}
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
    assert any("instructor-only folder" in p for p in problems) and any("BEGIN HIDDEN TESTS" in p for p in problems)


def test_blank_notebook_runs_its_public_tests_from_the_bundle(installed, monkeypatch):
    bundle, site = installed
    monkeypatch.setenv("PYTHONPATH", str(site))  # the kernel imports vitlab from the bundle
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for path in sorted((bundle / "notebooks").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(
            "import vitlab, importlib.util\n"
            f"assert vitlab.__file__.startswith({str(site)!r}), vitlab.__file__\n"
            "assert importlib.util.find_spec('vitlab.hidden') is None"))
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        assert not any(o.output_type == "error" for o in nb.cells[0].outputs), nb.cells[0].outputs
        tests = [c for c in nb.cells if samples.is_test(c)]
        assert tests, f"{path.name} has no test cells"
        for cell in tests:
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert errors and errors[0].ename == "CheckFailure", f"{path.name}: {cell.source[:60]}"
            assert "not implemented yet" in "\n".join(errors[0].traceback)
        setup = nb.cells[[c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells].index("setup")]
        printed = "".join(o.get("text", "") for o in setup.outputs)
        assert not any(o.output_type == "error" for o in setup.outputs), printed
