"""Unit tests of the checks library's machinery (fast, no notebooks): the one judge, tolerances,
messages that show the differing digits, and a failed test cell shown without a traceback."""

from __future__ import annotations

import pytest
import torch

from vitlab.checks import core
from vitlab.checks.core import EXACT, FLOAT64, Case, Exercise, Mistake, Outcome, Verdict
from vitlab.checks.display import CheckFailure, show
from vitlab.checks.session import ExerciseResult
from vitlab.harness.runner import capture, run_cell
from vitlab.harness.wire import ProgramCell


def test_differences_reports_shape_dtype_and_first_differing_index():
    expected = {"y": torch.zeros(2, 3)}
    assert core.differences(expected, {"y": torch.zeros(3, 2)}, EXACT) == [
        "y: expected shape (2, 3), got (3, 2)"
    ]
    wrong_dtype = core.differences(expected, {"y": torch.zeros(2, 3, dtype=torch.float64)}, EXACT)
    assert "expected dtype torch.float32, got torch.float64" in wrong_dtype[0]
    got = torch.zeros(2, 3)
    got[1, 2] = 5.0
    (message,) = core.differences(expected, {"y": got}, EXACT)
    assert "1 of 6 values differ" in message and "(1, 2)" in message and "got 5" in message
    assert core.differences(expected, {"y": torch.zeros(2, 3)}, EXACT) == []
    assert core.differences(expected, {}, EXACT) == ["y: missing"]


def test_differences_names_the_axes_when_given():
    got = torch.zeros(2, 3)
    got[1, 2] = 1.0
    (message,) = core.differences({"y": torch.zeros(2, 3)}, {"y": got}, EXACT, axes={"y": ("B", "D")})
    assert "B=1, D=2" in message


def test_tolerance_is_applied():
    tol = core.Tolerance(rtol=0, atol=1e-3)
    assert core.matches({"y": torch.zeros(3)}, {"y": torch.full((3,), 5e-4)}, tol)
    assert not core.matches({"y": torch.zeros(3)}, {"y": torch.full((3,), 2e-3)}, tol)


def test_float64_tolerance_accepts_a_float32_rounded_constant_and_shows_the_digits():
    """A correct answer may compute a constant (a scale) in float32: FLOAT64 accepts it; a real error is
    reported with digits that differ, never as two identical printed numbers."""
    x = torch.randn(4, 5, dtype=torch.float64, generator=core.seeded(0))
    exact = x / torch.tensor(8.0, dtype=torch.float64).sqrt()
    rounded_scale = x / torch.sqrt(torch.tensor(8.0, dtype=torch.float32)).double()
    assert core.matches({"y": exact}, {"y": rounded_scale}, FLOAT64)
    wrong = exact.clone()
    wrong[0, 0] += 1e-4 * exact.abs().max()
    (message,) = core.differences({"y": exact}, {"y": wrong}, FLOAT64)
    shown = message.split("expected ")[1].split(", got ")
    assert shown[0] != shown[1].split(" ")[0], message


def test_capture_keeps_plain_tensors_and_the_error_of_a_raise():
    outcome = capture(lambda: {"y": torch.ones(2, requires_grad=True) * 2})
    assert not outcome.raised and not outcome.tensors["y"].requires_grad

    def blank():
        raise NotImplementedError()

    failed = capture(lambda: {"y": blank()})
    assert failed.error_type == "NotImplementedError" and core.is_stub(failed)
    wrong_type = capture(lambda: {"y": [1, 2]})
    assert wrong_type.error_type == "TypeError" and "should be a torch.Tensor" in wrong_type.error_message


def _double(names=("double",), mistakes=()):
    return Exercise(
        "test_double",
        "double",
        names,
        lambda objects, inputs: {"y": objects["double"](inputs["x"])},
        lambda inputs, outcome: {"y": inputs["x"] * 2},
        mistakes,
        EXACT,
    )


CASE = Case("three numbers", lambda: {"x": torch.tensor([1.0, 2.0, 3.0])})


def _verdict(exercise: Exercise, function, case: Case = CASE) -> Verdict:
    inputs = case.inputs()
    outcome = capture(lambda: (case.call or exercise.call)({"double": function}, inputs))
    return exercise.verdict(case, inputs, outcome)


def test_judge_names_the_matching_mistake_and_only_that():
    tripled = Mistake("tripled instead of doubled", "multiply by 2", lambda i, o: {"y": i["x"] * 3})
    squared = Mistake("squared", "multiply, do not square", lambda i, o: {"y": i["x"] ** 2})
    exercise = _double(mistakes=[squared, tripled])
    assert _verdict(exercise, lambda x: x * 2).passed
    wrong = _verdict(exercise, lambda x: x * 3)
    assert (
        not wrong.passed
        and wrong.mistake == "tripled instead of doubled"
        and "multiply by 2" in wrong.message
    )
    other = _verdict(exercise, lambda x: x + 10)
    assert not other.passed and other.mistake is None and "expected vs got" in other.message


def test_a_mistake_that_cannot_be_formed_does_not_apply():
    broken = Mistake("never", "n/a", lambda i, o: 1 / 0)
    verdict = _verdict(_double(mistakes=[broken]), lambda x: x + 1)
    assert not verdict.passed and verdict.mistake is None and not verdict.checker_error


def test_expected_errors():
    case = Case("bad input", lambda: {"x": torch.zeros(1)}, expect_error=ValueError)

    def raises_value_error(x):
        raise ValueError("bad")

    def raises_type_error(x):
        raise TypeError("oops")

    exercise = _double()
    assert _verdict(exercise, raises_value_error, case).passed
    assert "raised TypeError" in _verdict(exercise, raises_type_error, case).message
    assert "should raise a ValueError" in _verdict(exercise, lambda x: x, case).message


def test_a_missing_or_wrong_input_check_is_named():
    """Where a case expects an error, the usual ways to get the input check wrong are named, told
    apart by what the code did: returned anyway, asserted, raised another type, or crashed inside."""
    case = Case("bad input", lambda: {"x": torch.zeros(1)}, expect_error=ValueError)
    answers = (
        "def asserts(x):\n    assert x.shape[0] > 1, 'too short'\n"
        "def raises_type_error(x):\n    raise TypeError('too short')\n"
        "def crashes_inside(x):\n    return x.reshape(2, 3)\n"
    )
    cell: dict = {}
    run_cell(ProgramCell("answer", "answer", answers), cell)  # as the grading program runs a student's cell
    asserts, raises_type_error, crashes_inside = (
        cell[n] for n in ("asserts", "raises_type_error", "crashes_inside")
    )
    exercise = _double()
    named = {
        "returned": _verdict(exercise, lambda x: x, case),
        "asserted": _verdict(exercise, asserts, case),
        "another type": _verdict(exercise, raises_type_error, case),
        "crashed inside": _verdict(exercise, crashes_inside, case),
    }
    assert {how: v.mistake for how, v in named.items()} == {
        "returned": core.NO_INPUT_CHECK,
        "asserted": core.ASSERT_FOR_CHECK,
        "another type": core.WRONG_ERROR_TYPE,
        "crashed inside": core.NO_INPUT_CHECK,
    }
    assert all(not v.passed and "raise ValueError" in v.message for v in named.values())
    assert "inside your computation" in named["crashed inside"].message
    assert "RuntimeError" in named["crashed inside"].message


def test_a_known_error_is_named_as_a_mistake():
    def explain(outcome: Outcome):
        return ("a tuple returned", "return the tensor") if "tuple" in outcome.error_message else None

    case = Case("three numbers", CASE.inputs, explain_error=explain)
    verdict = _verdict(_double(), lambda x: (x * 2, 0), case)
    assert (
        not verdict.passed
        and verdict.mistake == "a tuple returned"
        and "return the tensor" in verdict.message
    )
    plain = _verdict(_double(), lambda x: 1 / 0, case)
    assert plain.mistake is None and "ZeroDivisionError" in plain.message


def test_a_checker_bug_is_never_the_students_fault():
    def broken_judge(check, inputs, outcome):
        raise IndexError("our bug")

    case = Case("three numbers", CASE.inputs, judge=broken_judge)
    verdict = _verdict(_double(), lambda x: x * 2, case)
    assert not verdict.passed and verdict.checker_error and "checker itself failed" in verdict.message


def test_a_missing_output_is_reported_as_such_not_as_a_checker_error():
    def reads_z(check, inputs, outcome):
        return Verdict(bool(outcome.tensors["z"].sum() > 0), check)

    case = Case("three numbers", CASE.inputs, judge=reads_z)
    verdict = _verdict(_double(), lambda x: x * 2, case)
    assert not verdict.passed and not verdict.checker_error and "no 'z' came back" in verdict.message


def test_a_stub_reads_as_not_implemented_yet():
    def stub(x):
        raise NotImplementedError()

    verdict = _verdict(_double(), stub)
    assert not verdict.passed and "replace `raise NotImplementedError()`" in verdict.message


def test_verdict_is_a_pure_function_of_inputs_and_outcome():
    """The grader needs nothing from the student's process: a recorded outcome gives the same verdict."""
    exercise = _double()
    recorded = Outcome(tensors={"y": torch.tensor([2.0, 4.0, 7.0])})
    verdict = exercise.verdict(CASE, CASE.inputs(), recorded)
    assert not verdict.passed and "(2,)" in verdict.message


def test_check_failure_renders_a_diagnosis_not_a_traceback(capsys):
    failing = ExerciseResult(
        "test_patchify",
        "patchify",
        (
            Verdict(True, "patchify: a"),
            Verdict(False, "patchify: case", "this looks like a typical mistake: X.\nFix: Y"),
        ),
    )
    try:
        show(failing)
    except CheckFailure as failure:
        lines = failure._render_traceback_()
        assert "patchify: case" in lines[0] and any("Fix: Y" in line for line in lines)
        assert not any("Traceback" in line for line in lines)
        assert isinstance(failure, AssertionError)  # nbgrader and pytest see a failed test
    else:
        raise AssertionError("show() accepted a failing result")
    show(ExerciseResult("test_patchify", "patchify", (Verdict(True, "patchify: a"),)))
    assert "✓ patchify: all 1 checks passed." in capsys.readouterr().out


def test_typical_shape_mistakes_are_named_only_when_undoing_them_gives_the_answer():
    expected = torch.arange(12.0).reshape(3, 4)
    named = {
        "transposed": core.shape_mistake("y", (3, 4), expected.T.contiguous(), expected),
        "extra axis": core.shape_mistake("y", (3, 4), expected[None], expected),
        "missing axis": core.shape_mistake("y", (3, 1, 4), expected, expected[:, None]),
        "reshaped": core.shape_mistake("y", (3, 4), expected.reshape(2, 6), expected),
    }
    assert {how: m and m[0] for how, m in named.items()} == {
        "transposed": core.TRANSPOSED,
        "extra axis": core.EXTRA_AXIS,
        "missing axis": core.MISSING_AXIS,
        "reshaped": core.WRONG_SHAPE,
    }
    assert "(3, 4)" in named["transposed"][1] and "(4, 3)" in named["transposed"][1]
    # the right shape, or the wrong values in a swapped shape: nothing is claimed
    assert core.shape_mistake("y", (3, 4), expected, expected) is None
    assert core.shape_mistake("y", (3, 4), torch.zeros(4, 3), expected) is None
    # without values (a custom judge that checks shapes first) the shape alone names it
    assert core.shape_mistake("y", (3, 4), torch.zeros(4, 3))[0] == core.TRANSPOSED
    assert core.shape_mistake("y", (3, 4), torch.zeros(5, 7)) is None


def test_a_dropped_batch_or_a_kept_axis_is_named_only_when_the_values_agree():
    expected = torch.arange(24.0).reshape(2, 3, 4)  # (B, T, T)
    first = core.shape_mistake("rollout", (2, 3, 4), expected[0], expected)
    assert first is not None and first[0] == core.FIRST_ITEM_ONLY and "2 entries" in first[1]
    assert core.shape_mistake("rollout", (2, 3, 4), expected[1], expected) is None  # not the first item
    per_item = torch.stack([expected - 1.0, expected + 1.0], dim=1)  # (2, B, 3, 4): mean over axis 1 agrees
    kept = core.shape_mistake("d", (2, 3, 4), per_item, expected)
    assert kept is not None and kept[0] == core.NOT_AVERAGED and "axis 1" in kept[1]
    summed = per_item.sum(1, keepdim=True).expand(2, 2, 3, 4)  # averaging it gives the sum, not the mean
    assert core.shape_mistake("d", (2, 3, 4), summed, expected) is None
    # without expected values neither is claimed
    assert core.shape_mistake("d", (2, 3, 4), per_item) is None


def test_compare_names_a_shape_mistake_after_the_catalogue():
    verdict = _verdict(_double(), lambda x: (x * 2)[None])
    assert not verdict.passed and verdict.mistake == core.EXTRA_AXIS, verdict
    assert "expected vs got" in verdict.message


@pytest.mark.filterwarnings("ignore:The use of `x.T`")
def test_errors_pytorch_raises_on_typical_mistakes_are_named_in_every_exercise():
    answers = (
        "def view_after_transpose(x):\n    return x[None].expand(2, 3).T.view(-1)\n"
        "def in_place(x):\n    x.requires_grad_(True)\n    x *= 2\n    return x\n"
        "def float_size(x):\n    return x.reshape(len(x) / 1)\n"
        "def dot_t(x):\n    return x.reshape(1, 3, 1).T @ torch.ones(2, 2)\n"
        "def plain_bug(x):\n    return x / 0 + [1]\n"
    )
    cell: dict = {"torch": torch}
    run_cell(ProgramCell("answer", "answer", answers), cell)
    expected = {
        "view_after_transpose": core.VIEW_NOT_CONTIGUOUS,
        "in_place": core.IN_PLACE_INPUT,
        "float_size": core.FLOAT_SIZE,
        "dot_t": core.DOT_T,
        "plain_bug": None,  # an error of no typical kind is shown as it is, unnamed
    }
    assert {how: _verdict(_double(), cell[how]).mistake for how in expected} == expected


def test_several_tensors_and_integer_tensors_are_named_from_the_errors_raised():
    def int_cdist():
        points = torch.arange(6).reshape(3, 2)
        return torch.cdist(points, points)

    try:
        int_cdist()
    except RuntimeError as error:  # PyTorch's own wording in this version
        integer = Outcome(error_type="RuntimeError", error_message=str(error))
    assert core.common_error(integer)[0] == core.INTEGER_FOR_FLOAT
    listed = Outcome(
        error_type="TypeError",
        error_message="attention_maps should return one tensor (L, B, nh, T, T), not a list of 2 tensors",
    )
    assert core.common_error(listed)[0] == core.SEVERAL_RETURNED
    other = Outcome(error_type="TypeError", error_message="should return one tensor, but it returned a dict")
    assert core.common_error(other) is None


def test_the_harness_contract_errors_are_named():
    def no_bias(x):
        raise AttributeError("keep nn.Linear's default bias=True in self.qkv and self.proj")

    def renamed(x):
        raise AttributeError("MultiHeadSelfAttention needs self.qkv = nn.Linear(dim, 3 * dim)")

    assert _verdict(_double(), no_bias).mistake == core.LINEAR_NO_BIAS
    assert _verdict(_double(), renamed).mistake == core.LAYER_MISSING


def test_a_named_line_survives_copy_pickle_and_asdict():
    # Results travel from the grading workers through pickle and are stored with
    # dataclasses.asdict (which deep-copies); a Named line must come out whole.
    import copy
    import dataclasses
    import pickle

    from vitlab.checks.messages import Named, first_named

    line = Named("you transposed the patches", "patches transposed")

    @dataclasses.dataclass
    class Holder:
        lines: list[str]

    for back in (copy.copy(line), copy.deepcopy(line), pickle.loads(pickle.dumps(line))):
        assert back == line and back.mistake == "patches transposed"
    assert first_named(dataclasses.asdict(Holder([line]))["lines"]) == "patches transposed"
