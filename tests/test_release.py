"""notebooks/ is exactly what nbgrader makes of solutions/, and leaks nothing."""

from __future__ import annotations

import filecmp

import nbformat
import pytest

from grader import course
from grader.release import notebooks as release
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    into = tmp_path_factory.mktemp("release")
    release.generate(into)
    return into


def test_release_is_in_sync_with_solutions(fresh_release):
    for assignment in course.assignments():
        for solution in course.notebooks(assignment):
            committed = ROOT / "notebooks" / assignment / solution.name
            regenerated = fresh_release / assignment / solution.name
            assert committed.exists(), f"{committed} is missing: run `make release` and commit notebooks/"
            assert filecmp.cmp(committed, regenerated, shallow=False), (
                f"{committed} differs from what `make release` makes of {solution}: run `make release` and "
                "commit notebooks/ (never edit notebooks/ by hand)"
            )
    released = {p.relative_to(ROOT / "notebooks") for p in (ROOT / "notebooks").rglob("*.ipynb")}
    expected = {p.relative_to(fresh_release) for p in fresh_release.rglob("*.ipynb")}
    assert released == expected, f"notebooks/ holds notebooks that solutions/ does not: {released - expected}"


def test_release_leaks_nothing():
    assert release.check_all(ROOT / "notebooks") == []


def test_leak_detector_finds_a_leaked_solution_line(tmp_path):
    """The leak check itself can fail: a release that still holds a solution line is caught."""
    assignment = course.assignments()[0]
    (solution,) = course.notebooks(assignment)
    leaked = nbformat.read(ROOT / "notebooks" / assignment / solution.name, as_version=4)
    source = nbformat.read(solution, as_version=4)
    answer = next(c for c in source.cells if "### BEGIN SOLUTION" in c.source)
    target = next(
        c
        for c in leaked.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == answer.metadata.nbgrader.grade_id
    )
    target.source = answer.source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
    (tmp_path / assignment).mkdir()
    nbformat.write(leaked, tmp_path / assignment / solution.name)
    assert any(
        "solution line" in problem
        for problem in release.leaks(tmp_path / assignment / solution.name, solution)
    )


def test_released_test_cells_are_locked_and_answers_blank():
    for assignment in course.assignments():
        for path in (ROOT / "notebooks" / assignment).glob("*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            tests = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
            answers = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
            assert tests and answers
            assert all(
                c.metadata.nbgrader.get("locked") for c in tests if not c.metadata.nbgrader.get("solution")
            )
            assert all("raise NotImplementedError()" in c.source for c in answers if c.cell_type == "code")
