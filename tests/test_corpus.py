"""The checks' judgement on answers their authors did not write (tests/corpus/<assignment>/).

A correct answer written differently from the reference must pass every check, public and hidden;
a wrong answer must fail, and its diagnosis must say what is wrong (the words its file names).
This tests judgement, not naming: the catalogue's names are tests/test_catalogue.py's job.
"""

from __future__ import annotations

import pytest

from grader import samples as S
from tests.conftest import assignments

CORPUS = [(a, s) for a in assignments() for s in S.corpus(a)]


@pytest.mark.parametrize("assignment,answer", CORPUS, ids=[f"{a}/{s.name}" for a, s in CORPUS])
def test_corpus_answer_is_judged_right(assignment, answer):
    assert answer.verdicts, f"{answer.name}: say what it must get (# verdict: <test>: pass|fail: <words>)"
    assert answer.description, f"{answer.name}: say in a docstring what the answer is"
    results = S.judge(assignment, answer, hidden=True)
    for test_id, kind, words in answer.verdicts:
        result = results[test_id]
        if kind == "pass":
            assert result.passed, (
                f"{answer.name}: a correct answer is rejected by {test_id}: {result.summary()}"
            )
        else:
            assert not result.passed, f"{answer.name}: a wrong answer passes {test_id}"
            assert not any(v.checker_error for v in result.verdicts), (
                f"{answer.name}: checker error {result.summary()}"
            )
            assert words.lower() in result.summary().lower(), (
                f"{answer.name}: {test_id} should say '{words}', it said: {result.summary()}"
            )


def test_every_assignment_has_a_corpus():
    missing = [a for a in assignments() if not S.corpus(a)]
    assert not missing, f"no corpus of students' answers for {missing}"
