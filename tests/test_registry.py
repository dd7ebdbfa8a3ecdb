"""One registry: every test cell is one call to an exercise registered under its grade id, and every
code cell of a source notebook has exactly one role (answer, test, setup or demonstration)."""

from __future__ import annotations

import ast

import pytest

from grader import samples as S
from tests.conftest import assignments
from vitlab import cells
from vitlab.checks import program, registry


@pytest.mark.parametrize("assignment", assignments())
def test_test_cells_are_one_registry_call(assignment):
    solution = S.solution_notebook(assignment)
    registered = {e.grade_id for e in registry.of_topic(registry.topic_of_assignment(assignment))}
    seen = set()
    for cell in solution.cells:
        if not cells.is_test(cell):
            continue
        gid = cells.grade_id(cell)
        tree = ast.parse(cells.source(cell))
        assert len(tree.body) == 1, f"{gid}: a test cell is one call, checks.run(...)"
        call = tree.body[0].value
        assert isinstance(call, ast.Call) and ast.unparse(call.func) == "checks.run", (
            f"{gid}: {ast.unparse(call)}"
        )
        assert isinstance(call.args[0], ast.Constant) and call.args[0].value == gid, (
            f"{gid}: names another exercise"
        )
        exercise = registry.exercise(gid)
        passed = tuple(ast.unparse(a) for a in call.args[1:])
        assert passed == exercise.names, (
            f"{gid}: the cell passes {passed}, the registry expects {exercise.names}"
        )
        seen.add(gid)
    assert seen == registered, (
        f"registered but without a test cell: {registered - seen}; the other way: {seen - registered}"
    )


@pytest.mark.parametrize("assignment", assignments())
def test_every_code_cell_has_one_role(assignment):
    roles = program.roles(S.solution_notebook(assignment))
    assert all(r in ("answer", "test", "setup", "demo") for r in roles), roles


@pytest.mark.parametrize("assignment", assignments())
def test_setup_cells_import_no_answer(assignment):
    """The grading program's setup cells come from the source: they may not import the instructor package."""
    for cell in S.solution_notebook(assignment).cells:
        if cells.is_setup(cell):
            assert "instructor" not in cells.source(cell), (
                f"{assignment}: a setup cell imports the instructor package"
            )


def test_grade_ids_are_unique_across_the_course():
    ids = [cells.grade_id(c) for a in assignments() for c in S.solution_notebook(a).cells if cells.is_test(c)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_topics_follow_the_assignments():
    assert [registry.topic_of_assignment(a) for a in assignments()] == list(registry.TOPICS)
