"""The test of the tests: every catalogued mistake fails its public test with its own name.

For each assignment, the answer cells of the solution notebook (or a sample's replacements) run in
one namespace; then the public part of each test cell runs, exactly as the student sees it.
"""
from __future__ import annotations

import importlib
import io
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import pytest

from grader import samples as S
from tests.conftest import ROOT, assignments
from vitlab.checks.core import CheckFailure


def solution(assignment: str) -> nbformat.NotebookNode:
    (path,) = (ROOT / "solutions" / assignment).glob("*.ipynb")
    return nbformat.read(path, as_version=4)


def checks_module(assignment: str):
    return importlib.import_module(f"vitlab.checks.{assignment.split('_', 1)[1]}")


def namespace(assignment: str, sample: S.Sample) -> dict:
    """Setup cells and answer cells run in order, as a student's kernel would (demo cells skipped)."""
    nb = S.fill(solution(assignment), solution(assignment), sample)
    ns: dict = {"__name__": "__main__"}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and (S.is_answer(cell) or (meta.get("locked") and not meta.get("grade"))):
            with redirect_stdout(io.StringIO()):
                exec(compile(S.strip_markers(cell.source), f"<cell {S.grade_id(cell)}>", "exec"), ns)
    return ns


def public_tests(assignment: str) -> dict[str, str]:
    return {S.grade_id(c): S.public_part(c.source) for c in solution(assignment).cells if S.is_test(c)}


def run_public(ns: dict, source: str) -> CheckFailure | None:
    try:
        with redirect_stdout(io.StringIO()):
            exec(compile(source, "<public test>", "exec"), ns)
    except CheckFailure as failure:
        return failure
    return None


CASES = [(a, s) for a in assignments() for s in S.all_samples(a) if s.expects]


@pytest.mark.parametrize("assignment", assignments())
def test_reference_passes_every_public_test(assignment):
    ns = namespace(assignment, S.reference(assignment))
    for test_id, source in public_tests(assignment).items():
        failure = run_public(ns, source)
        assert failure is None, f"{test_id}: {failure}"


@pytest.mark.parametrize("assignment", assignments())
def test_blank_fails_every_public_test_with_not_implemented(assignment):
    ns = namespace(assignment, S.blank(assignment))
    for test_id, source in public_tests(assignment).items():
        failure = run_public(ns, source)
        assert failure is not None, f"{test_id} passes on a blank notebook"
        assert "not implemented yet" in failure.verdict.message, f"{test_id}: {failure.verdict.message}"


@pytest.mark.parametrize("assignment,sample", CASES, ids=[f"{a}/{s.name}" for a, s in CASES])
def test_mistake_is_named(assignment, sample):
    ns = namespace(assignment, sample)
    tests = public_tests(assignment)
    for test_id, mistake in sample.expects:
        failure = run_public(ns, tests[test_id])
        assert failure is not None, f"{sample.name}: {test_id} passed, but it should name '{mistake}'"
        assert failure.verdict.mistake == mistake, (
            f"{sample.name}: {test_id} said {failure.verdict.message!r}, expected the mistake '{mistake}'")


@pytest.mark.parametrize("assignment", assignments())
def test_every_catalogued_mistake_has_a_sample(assignment):
    module = checks_module(assignment)
    named = {mistake for _, s in CASES if s.assignment == assignment for _, mistake in s.expects}
    catalogue = {m.name for ex in module.EXERCISES for m in ex.mistakes if m.catalogued}
    catalogue |= set(getattr(module, "STRUCTURAL_MISTAKES", []))
    assert catalogue, f"{module.__name__} has no catalogue of mistakes"
    missing = sorted(catalogue - named)
    assert not missing, f"catalogued mistakes with no sample in tests/samples/{assignment}/: {missing}"


def test_samples_name_real_cells():
    for assignment in assignments():
        answer_ids = set(S.reference_answers(solution(assignment)))
        test_ids = set(public_tests(assignment))
        for sample in S.all_samples(assignment):
            assert set(sample.cells) <= answer_ids, f"{sample.name}: unknown cells {set(sample.cells) - answer_ids}"
            assert {t for t, _ in sample.expects} <= test_ids, f"{sample.name}: unknown test cells"
            if sample.name not in ("reference", "blank"):
                assert sample.description, f"{Path(sample.name)}: a sample needs a docstring saying what it is"


def _bound_and_loaded(source: str) -> tuple[set[str], set[str]]:
    import ast

    bound, loaded = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return bound, loaded


@pytest.mark.parametrize("assignment", assignments())
def test_hidden_blocks_are_self_contained(assignment):
    """A hidden block runs even when the public check above it (or another cell) failed first,
    so it may not rely on names that only another cell's hidden block defines."""
    blocks = {}
    for cell in solution(assignment).cells:
        if S.is_test(cell) and "### BEGIN HIDDEN TESTS" in cell.source:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
            blocks[S.grade_id(cell)] = _bound_and_loaded(hidden)
    for test_id, (bound, loaded) in blocks.items():
        elsewhere = set().union(*(b for other, (b, _) in blocks.items() if other != test_id))
        borrowed = (loaded & elsewhere) - bound
        assert not borrowed, f"{test_id}: its hidden block uses {sorted(borrowed)} defined in another hidden block"
