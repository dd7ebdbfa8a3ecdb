"""Unit tests of the checks library's machinery (fast, no notebooks)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from vitlab.checks import core, guards
from vitlab.checks.core import EXACT, Case, CheckFailure, Exercise, Mistake, Outcome, Verdict


def test_differences_reports_shape_dtype_and_first_differing_index():
    expected = {"y": torch.zeros(2, 3)}
    assert core.differences(expected, {"y": torch.zeros(3, 2)}, EXACT) == ["y: expected shape (2, 3), got (3, 2)"]
    assert "expected dtype torch.float32, got torch.float64" in core.differences(
        expected, {"y": torch.zeros(2, 3, dtype=torch.float64)}, EXACT)[0]
    got = torch.zeros(2, 3)
    got[1, 2] = 5.0
    message = core.differences(expected, {"y": got}, EXACT)[0]
    assert "1 of 6 values differ" in message and "index (1, 2)" in message and "got 5" in message
    assert core.differences(expected, {"y": torch.zeros(2, 3)}, EXACT) == []
    assert core.differences(expected, {}, EXACT) == ["y: missing"]


def test_tolerance_is_applied():
    tol = core.Tolerance(rtol=0, atol=1e-3)
    assert core.matches({"y": torch.zeros(3)}, {"y": torch.full((3,), 5e-4)}, tol)
    assert not core.matches({"y": torch.zeros(3)}, {"y": torch.full((3,), 2e-3)}, tol)


def test_capture_keeps_plain_tensors_and_the_line_of_an_error():
    outcome = core.capture(lambda: {"y": torch.ones(2, requires_grad=True) * 2})
    assert not outcome.raised and not outcome.tensors["y"].requires_grad

    def blank():
        raise NotImplementedError()

    failed = core.capture(lambda: {"y": blank()})
    assert failed.error_type == "NotImplementedError"
    assert "raise NotImplementedError()" in failed.error_line
    assert "not implemented yet" in core.describe_error(failed)
    wrong_type = core.capture(lambda: {"y": [1, 2]})
    assert wrong_type.error_type == "TypeError" and "should be a torch.Tensor" in wrong_type.error_message


def _exercise(mistakes=()):
    return Exercise("double", lambda fn, i: {"y": fn(i["x"])}, lambda i, o: {"y": i["x"] * 2}, mistakes, EXACT)


CASE = Case("three numbers", lambda: {"x": torch.tensor([1.0, 2.0, 3.0])})


def test_judge_names_the_matching_mistake_and_only_that():
    tripled = Mistake("tripled instead of doubled", "multiply by 2", lambda i, o: {"y": i["x"] * 3})
    squared = Mistake("squared", "multiply, do not square", lambda i, o: {"y": i["x"] ** 2})
    exercise = _exercise([squared, tripled])
    (right,) = exercise.verdicts(lambda x: x * 2, [CASE])
    assert right.passed
    (wrong,) = exercise.verdicts(lambda x: x * 3, [CASE])
    assert not wrong.passed and wrong.mistake == "tripled instead of doubled" and "multiply by 2" in wrong.message
    (other,) = exercise.verdicts(lambda x: x + 10, [CASE])
    assert other.mistake is None and "expected vs got" in other.message


def test_expected_errors():
    case = Case("bad input", lambda: {"x": torch.zeros(1)}, expect_error=ValueError)

    def raises_value_error(x):
        raise ValueError("bad")

    def raises_type_error(x):
        raise TypeError("oops")

    exercise = _exercise()
    assert exercise.verdicts(raises_value_error, [case])[0].passed
    assert "raised TypeError" in exercise.verdicts(raises_type_error, [case])[0].message
    assert "should raise a ValueError" in exercise.verdicts(lambda x: x, [case])[0].message


def test_verdict_is_a_pure_function_of_inputs_and_outcome():
    """Step 3 needs nothing from the student's process: a recorded outcome gives the same verdict."""
    exercise = _exercise()
    inputs = CASE.inputs()
    recorded = Outcome(tensors={"y": torch.tensor([2.0, 4.0, 7.0])})
    verdict = exercise.verdict(CASE, inputs, recorded)
    assert not verdict.passed and "index (2,)" in verdict.message


def test_check_failure_renders_a_diagnosis_not_a_traceback():
    failure = CheckFailure(Verdict(False, "patchify: case", "this looks like a typical mistake: X.\nFix: Y"))
    lines = failure._render_traceback_()
    assert "patchify: case" in lines[0] and any("Fix: Y" in line for line in lines)
    assert not any("Traceback" in line for line in lines)
    assert isinstance(failure, AssertionError)  # nbgrader and pytest see a failed test


def test_require_raises_on_the_first_failure(capsys):
    core.require([Verdict(True, "a")], "ex")
    assert "✓ ex" in capsys.readouterr().out
    try:
        core.require([Verdict(True, "a"), Verdict(False, "b", "why")], "ex")
    except CheckFailure as failure:
        assert failure.verdict.check == "b"
    else:
        raise AssertionError("require accepted a failing verdict")


def test_guards_see_forbidden_built_ins_and_loops():
    x = torch.randn(1, 1, 4, 4)
    calls = guards.torch_calls(lambda t: F.unfold(t, 2, stride=2), x)
    assert guards.forbidden_calls(calls, {F.unfold: "F.unfold"}) == ["F.unfold"]

    def looped(t):
        return torch.stack([row * 2 for row in t])

    counts = {n: len(guards.torch_calls(looped, torch.ones(n, 3))) for n in (1, 4)}
    assert guards.call_count_grows(counts)
    vectorised = {n: len(guards.torch_calls(lambda t: t * 2, torch.ones(n, 3))) for n in (1, 4)}
    assert not guards.call_count_grows(vectorised)
