"""The test of the tests: every catalogued mistake fails its public check with its own name.

Each sample of ``tests/samples/<assignment>/`` is turned into the notebook a student would hand in,
its grading program (setup cells + the student's cells) runs in this process, and the registry's
checks judge the outputs, exactly as ``make check`` (public cases) and the grader (public and
hidden cases) do. The JupyterLab path (``checks.run`` in the kernel) is checked to agree.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest

from grader import samples as S
from tests.conftest import assignments
from vitlab.checks import program, registry, session
from vitlab.harness import runner
from vitlab.harness.wire import ProgramCell

CASES = [(a, s) for a in assignments() for s in S.all_samples(a) if s.expects]


@pytest.mark.parametrize("assignment", assignments())
def test_reference_passes_every_check(assignment):
    for hidden in (False, True):
        results = S.judge(assignment, S.reference(assignment), hidden=hidden)
        assert results, f"{assignment}: no registered exercise"
        for grade_id, result in results.items():
            assert result.passed, f"{grade_id} ({'hidden' if hidden else 'public'}): {result.summary()}"


@pytest.mark.parametrize("assignment", assignments())
def test_blank_is_pending_everywhere(assignment):
    for grade_id, result in S.judge(assignment, S.blank(assignment), hidden=True).items():
        assert result.status == session.PENDING, f"{grade_id} on a blank notebook: {result.summary()}"


@pytest.mark.parametrize("assignment,sample", CASES, ids=[f"{a}/{s.name}" for a, s in CASES])
def test_mistake_is_named(assignment, sample):
    public = S.judge(assignment, sample, hidden=False)
    hidden = S.judge(assignment, sample, hidden=True)
    for test_id, mistake in sample.expects:
        result = public[test_id]
        assert not result.passed, f"{sample.name}: {test_id} passed, but it should name '{mistake}'"
        named = [v.mistake for v in result.failures]
        assert mistake in named, f"{sample.name}: {test_id} said {result.summary()!r}, expected '{mistake}'"
        assert not hidden[test_id].passed, f"{sample.name}: {test_id} passes the hidden cases"


def _namespace(assignment: str, sample: S.Sample) -> dict:
    solution = S.solution_notebook(assignment)
    prog = program.build(S.fill(S.release_notebook(assignment), solution, sample), solution)
    namespace: dict = {"__name__": "__main__"}
    with redirect_stdout(io.StringIO()):
        for cell in prog.cells:
            runner.run_cell(ProgramCell(cell.role, cell.label, cell.source), namespace)
    return namespace


@pytest.mark.parametrize("assignment,sample", CASES, ids=[f"{a}/{s.name}" for a, s in CASES])
def test_lab_names_the_same_mistake(assignment, sample):
    """checks.run in the student's kernel gives the diagnosis make check and the grader give."""
    namespace = _namespace(assignment, sample)
    for test_id, mistake in sample.expects:
        names = registry.exercise(test_id).names
        result = session.in_process(test_id, [namespace[n] for n in names], hidden=False)
        assert mistake in [v.mistake for v in result.failures], (
            f"{sample.name}: {test_id}: {result.summary()}"
        )


@pytest.mark.parametrize("assignment", assignments())
def test_every_catalogued_mistake_has_a_sample(assignment):
    named = {mistake for a, s in CASES if a == assignment for _, mistake in s.expects}
    catalogue = set(registry.catalogue(registry.topic_of_assignment(assignment)))
    assert catalogue, f"{assignment} has no catalogue of mistakes"
    missing = sorted(catalogue - named)
    assert not missing, f"catalogued mistakes with no sample in tests/samples/{assignment}/: {missing}"


def test_samples_name_real_cells():
    for assignment in assignments():
        solution = S.solution_notebook(assignment)
        answer_ids = set(S.reference_answers(solution))
        test_ids = {S.grade_id(c) for c in solution.cells if S.is_test(c)}
        for sample in S.all_samples(assignment):
            assert set(sample.cells) <= answer_ids, (
                f"{sample.name}: unknown cells {set(sample.cells) - answer_ids}"
            )
            assert {t for t, _ in sample.expects} <= test_ids, f"{sample.name}: unknown test cells"
            if sample.name not in ("reference", "blank"):
                assert sample.description, f"{sample.name}: a sample needs a docstring saying what it is"
