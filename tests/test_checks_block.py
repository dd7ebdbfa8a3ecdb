"""Unit tests of the checks of notebook 4: layer_norm's oracle is its definition, correct formulas pass
in float32 and float64 and the cancelling variance does not; the checker's weights go into the student's
block and the built-in layer alike; every catalogued mistake is told apart from the right answer; known
errors are named; and the judges answer wrong outputs with a diagnosis, never a crash. The reference
comes from the solution notebook."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from grader import samples as S
from vitlab.checks import block, layer_norm, program, registry, session
from vitlab.checks.core import Outcome
from vitlab.harness import runner
from vitlab.harness.calls import block as calls

ASSIGNMENT = "04_block"


@pytest.fixture(scope="module")
def reference() -> dict:
    solution = S.solution_notebook(ASSIGNMENT)
    prog = program.build(S.fill(S.release_notebook(ASSIGNMENT), solution, S.reference(ASSIGNMENT)), solution)
    namespace: dict = {"__name__": "__main__"}
    with redirect_stdout(io.StringIO()):
        for cell in prog.cells:
            runner.run_cell(cell, namespace)
    return {name: namespace[name] for name in ("MLP", "EncoderBlock")}


def test_block_weights_map_onto_the_builtin_layer(reference):
    inputs = block.block_inputs(3, 5, 16, 4, 2.0, 0.0, seed=1)
    mine = calls.build(reference["EncoderBlock"], 0, 16, 4, 2.0, 0.0).eval()
    tensors, layout = calls.block_tensors(mine)
    assert layout == (0, 0) and set(tensors) == set(calls.BLOCK_NAMES)
    _, loaded = calls.load(tensors, inputs["weights"])
    assert loaded
    layer = block.oracle_layer(inputs)
    with torch.no_grad():
        torch.testing.assert_close(mine(inputs["x"]), layer(inputs["x"]), rtol=1e-5, atol=1e-5)


def test_the_oracle_is_the_pre_norm_formula():
    """nn.TransformerEncoderLayer(norm_first=True) with the checker's weights is x + attn(norm1(x)), then
    + mlp(norm2(x)), written here with functional built-ins."""
    inputs = block.block_inputs(2, 4, 8, 2, 2.0, 0.0, seed=3)
    w = inputs["weights"]
    attn = nn.MultiheadAttention(8, 2, batch_first=True)
    attn.load_state_dict({k.removeprefix("self_attn."): v for k, v in w.items() if k.startswith("self_attn")})
    x = inputs["x"]
    with torch.no_grad():
        h = F.layer_norm(x, (8,), w["norm1.weight"], w["norm1.bias"])
        y = x + attn(h, h, h)[0]
        h = F.layer_norm(y, (8,), w["norm2.weight"], w["norm2.bias"])
        hidden = F.gelu(F.linear(h, w["linear1.weight"], w["linear1.bias"]))
        want = y + F.linear(hidden, w["linear2.weight"], w["linear2.bias"])
    torch.testing.assert_close(block._block_oracle(inputs)["output"], want, rtol=1e-5, atol=1e-5)


def test_reference_outputs_are_judged_right(reference):
    objects = dict(reference)
    for case in [*block.MLP_EXERCISE.public, *block.BLOCK.public]:
        exercise = block.MLP_EXERCISE if case in block.MLP_EXERCISE.public else block.BLOCK
        inputs = case.inputs()
        outcome = Outcome(tensors=(case.call or exercise.call)(objects, inputs))
        verdict = exercise.verdict(case, inputs, outcome)
        assert verdict.passed, verdict


@pytest.mark.parametrize("exercise", [block.MLP_EXERCISE, block.BLOCK], ids=lambda e: e.grade_id)
def test_every_mistake_differs_from_the_right_answer(exercise):
    """A mistake that produced the right output would name a correct answer: each is told apart on every
    public case where it applies."""
    cases = [c for c in exercise.public if c.call is None]
    for mistake in exercise.mistakes:
        told_apart = False
        for case in cases:
            inputs = case.inputs()
            right = (block._mlp_oracle if exercise is block.MLP_EXERCISE else block._block_oracle)(inputs)
            wrong = mistake.produce(inputs, Outcome())
            told_apart |= wrong is not None and not block.matches(wrong, right, exercise.tol)
        assert told_apart, f"{mistake.name}: gives the right output on every public case"


def test_student_names_follow_the_layout():
    assert block.student_names([0, 0])["self_attn.in_proj_weight"] == "attn.in_proj_weight"
    assert block.student_names([1, 0])["self_attn.in_proj_weight"] == "attn.qkv.weight"
    assert block.student_names([0, 0])["linear2.bias"] == "mlp.fc2.bias"
    assert block.student_names([0, 0], in_block=False)["linear1.weight"] == "fc1.weight"
    assert block.student_names([0, 1], in_block=False)["linear2.weight"] == "the second Linear's weight"


def test_the_sigmoid_shortcut_differs_from_gelu_by_what_the_message_says():
    z = torch.linspace(-8, 8, 100001, dtype=torch.float64)
    gap = (z * torch.sigmoid(1.702 * z) - F.gelu(z)).abs().max().item()
    assert 0.015 < gap < 0.025


def test_parameter_count_message_adds_up():
    inputs = {"dim": 24, "num_heads": 6, "mlp_ratio": 1.5}
    D, F_ = 24, 36
    assert sum(p.numel() for p in block.built_in_layer(inputs).parameters()) == (
        2 * 2 * D + 4 * D * D + 4 * D + 2 * D * F_ + D + F_
    )


def _judge(case, tensors):
    inputs = case.inputs()
    return block.BLOCK.verdict(case, inputs, Outcome(tensors=tensors)), inputs


def test_outputs_of_the_wrong_shape_or_type_get_a_diagnosis_not_a_crash():
    case = block.BLOCK.public[2]
    inputs = case.inputs()
    right = block._block_oracle(inputs)
    malformed = [
        {},
        {"output": right["output"][:, :1]},
        {"output": right["output"].double()},
        {**right, "layout": torch.tensor([7, 7, 7])},
        {"output": right["output"], "shape:norm1.weight": torch.tensor([3])},
    ]
    for tensors in malformed:
        verdict = block.BLOCK.verdict(case, inputs, Outcome(tensors=tensors))
        assert not verdict.checker_error, verdict
    wrong_size = {"shape:linear1.weight": torch.tensor([64, 15])}
    verdict = block.BLOCK.verdict(case, inputs, Outcome(tensors=wrong_size))
    assert not verdict.passed and "mlp.fc1.weight: expected shape (64, 16), got (64, 15)" in verdict.message


def test_modes_judge_names_each_broken_behaviour():
    case = block.BLOCK.public[1]
    inputs = case.inputs()
    same = torch.zeros(2, 2, 6, 16)
    differ = torch.stack([torch.zeros(2, 6, 16), torch.ones(2, 6, 16)])
    base = {
        "input changed": torch.tensor([0, 0, 0, 0]),
        "train": differ,
        "eval": same,
        "training after train():": torch.tensor(1),
        "training after eval():": torch.tensor(0),
    }
    assert block.BLOCK.verdict(case, inputs, Outcome(tensors=base)).passed
    cases = {
        block.IN_PLACE: {"input changed": torch.tensor([1, 1, 0, 0])},
        block.EVAL_DROPOUT: {"eval": differ},
        block.NO_DROPOUT: {"train": same},
        block.ATTENTION_DROPOUT: {"attention dropout": torch.tensor(0.0, dtype=torch.float64)},
        block.MLP_DROPOUT: {"mlp dropout rates": torch.tensor([0.5, 0.0], dtype=torch.float64)},
    }
    for name, change in cases.items():
        verdict = block.BLOCK.verdict(case, inputs, Outcome(tensors={**base, **change}))
        assert verdict.mistake == name, verdict
    verdict = block.BLOCK.verdict(
        case, inputs, Outcome(tensors={**base, "training after eval():mlp.drop": torch.tensor(1)})
    )
    assert not verdict.passed and "mlp.drop" in verdict.message


def test_in_place_residual_is_seen_by_effect(reference):
    class InPlace(reference["EncoderBlock"]):
        def forward(self, x):
            h = self.norm1(x)
            x += self.attn(h, h, h, need_weights=False)[0]
            return x + self.mlp(self.norm2(x))

    case = block.BLOCK.public[1]
    inputs = case.inputs()
    outcome = Outcome(tensors=calls.block_modes({"EncoderBlock": InPlace}, inputs))
    assert block.BLOCK.verdict(case, inputs, outcome).mistake == block.IN_PLACE


def test_plain_list_of_modules_is_reported(reference):
    class Hidden(reference["EncoderBlock"]):
        def __init__(self, *args):
            super().__init__(*args)
            self.extra = [nn.LayerNorm(args[0])]

    case = block.BLOCK.public[0]
    inputs = case.inputs()
    outcome = Outcome(tensors=calls.block_structure({"EncoderBlock": Hidden}, inputs))
    verdict = block.BLOCK.verdict(case, inputs, outcome)
    assert not verdict.passed and "self.extra" in verdict.message


# --------------------------------------------------------------------------------------------------
# layer_norm (exercise 1)


def _ln_outcome(fn, inputs) -> Outcome:
    return Outcome(tensors=calls.layer_norm({"layer_norm": fn}, inputs))


def _two_pass(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def _var_mean(x, weight, bias, eps=1e-5):
    var, mean = torch.var_mean(x, dim=-1, correction=0, keepdim=True)
    return torch.addcmul(bias, (x - mean) * torch.rsqrt(var + eps), weight)


def _mean_of_squares(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt((x * x).mean(-1, keepdim=True) - mean**2 + eps) * weight + bias


def test_the_layer_norm_oracle_is_the_definition():
    """F.layer_norm (float64) is (x - mean) / sqrt(biased var + eps) * weight + bias, written with NumPy."""
    inputs = layer_norm.layer_norm_inputs((3, 4, 6), dtype=torch.float64, seed=5, eps=0.25)
    x, w, b = (inputs[k].numpy() for k in ("x", "weight", "bias"))
    want = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 0.25) * w + b
    torch.testing.assert_close(layer_norm.layer_norm_oracle(inputs)["output"], torch.from_numpy(want))


@pytest.mark.parametrize("fn", [_two_pass, _var_mean], ids=["two pass", "var_mean"])
def test_correct_formulas_pass_every_case_in_both_dtypes(fn):
    plan = registry.plan("test_layer_norm", hidden=True)
    for case in plan.cases:
        if case.call is not None:  # the from-scratch run
            continue
        inputs = case.inputs()
        verdict = layer_norm.LAYER_NORM.verdict(case, inputs, _ln_outcome(fn, inputs))
        assert verdict.passed, verdict


def test_the_shift_tells_the_cancelling_variance_apart():
    """mean(x²) - mean(x)² is right for tokens near zero and lost for tokens around 1000 in float32."""
    near, far = layer_norm.PUBLIC[0], layer_norm.PUBLIC[3]
    assert "shifted" in far.name and "shifted" not in near.name
    inputs = near.inputs()
    assert layer_norm.LAYER_NORM.verdict(near, inputs, _ln_outcome(_mean_of_squares, inputs)).passed
    inputs = far.inputs()
    verdict = layer_norm.LAYER_NORM.verdict(far, inputs, _ln_outcome(_mean_of_squares, inputs))
    assert verdict.mistake == layer_norm.CANCELLATION, verdict


def test_every_layer_norm_mistake_differs_from_the_right_answer():
    """Each catalogued mistake is told apart from F.layer_norm on some case (the statistics without
    keepdim only broadcast when there are as many tokens as features: the hidden (5, 5) case)."""
    cases = [c for c in registry.plan("test_layer_norm", hidden=True).cases if c.call is None]
    for mistake in layer_norm.MISTAKES:
        told_apart = False
        for case in cases:
            inputs = case.inputs()
            wrong = mistake.produce(inputs, Outcome())
            right = layer_norm.layer_norm_oracle(inputs)
            told_apart |= wrong is not None and not block.matches(
                {"output": wrong["output"]}, right, layer_norm.tolerance_for(inputs["x"])
            )
        assert told_apart, f"{mistake.name}: gives the right output on every case"


def test_layer_norm_judge_answers_malformed_outputs_with_a_diagnosis():
    case = layer_norm.PUBLIC[0]
    inputs = case.inputs()
    right = layer_norm.layer_norm_oracle(inputs)
    malformed = [
        {},
        {"output": right["output"][..., :3]},
        {"output": right["output"].double()},
        {"output": right["output"].unsqueeze(0)},
        {"output": torch.full_like(right["output"], float("nan")), "graph": torch.tensor(1)},
        {"output": right["output"], "graph": torch.tensor(1)},  # no gradients
        {"output": right["output"], "graph": torch.tensor(0)},
        {**right, "graph": torch.tensor(1), "gradient of x": right["gradient of x"][:1]},
    ]
    for tensors in malformed:
        verdict = layer_norm.LAYER_NORM.verdict(case, inputs, Outcome(tensors=tensors))
        assert not verdict.passed and not verdict.checker_error, verdict
    assert layer_norm.LAYER_NORM.verdict(
        case, inputs, Outcome(tensors={**right, "graph": torch.tensor(1)})
    ).passed
    cut = layer_norm.LAYER_NORM.verdict(
        case, inputs, Outcome(tensors={"output": right["output"], "graph": torch.tensor(0)})
    )
    assert cut.mistake == layer_norm.GRAPH_CUT


def test_layer_norm_errors_are_named():
    def without_keepdim(x, weight, bias, eps=1e-5):
        return (x - x.mean(-1)) / torch.sqrt(x.var(-1, correction=0) + eps) * weight + bias

    def in_place(x, weight, bias, eps=1e-5):
        x -= x.mean(-1, keepdim=True)
        return x

    for fn, name in ((without_keepdim, layer_norm.KEEPDIM), (in_place, layer_norm.IN_PLACE)):
        result = session.in_process("test_layer_norm", [fn], hidden=False)
        assert name in [v.mistake for v in result.failures], result.summary()


def test_float64_inputs_computed_in_float32_are_named():
    case = next(c for c in layer_norm.PUBLIC if c.inputs()["x"].dtype == torch.float64)
    inputs = case.inputs()

    def in_float32(x, weight, bias, eps=1e-5):
        return _two_pass(x.float(), weight.float(), bias.float(), eps)

    verdict = layer_norm.LAYER_NORM.verdict(case, inputs, _ln_outcome(in_float32, inputs))
    assert verdict.mistake == layer_norm.FLOAT32_OUTPUT, verdict


def test_the_norm_figure_draws_the_students_tables():
    import matplotlib

    matplotlib.use("Agg")
    from vitlab.plots import norms

    tokens = torch.randn(2, 3, 4)
    fig = norms.show_norm_axes(tokens, _two_pass(tokens, torch.ones(4), torch.zeros(4)), tokens)
    assert len(fig.axes) == 6
    matplotlib.pyplot.close(fig)


# --------------------------------------------------------------------------------------------------
# The block's known errors


def test_block_errors_of_nn_multihead_attention_are_named(reference):
    class TupleAdded(reference["EncoderBlock"]):
        def forward(self, x):
            h = self.norm1(x)
            x = x + self.attn(h, h, h)
            return x + self.mlp(self.norm2(x))

    class QueryOnly(reference["EncoderBlock"]):
        def forward(self, x):
            x = x + self.attn(self.norm1(x))[0]
            return x + self.mlp(self.norm2(x))

    for cls, name in ((TupleAdded, block.TUPLE_USED), (QueryOnly, block.QUERY_ONLY)):
        result = session.in_process("test_block", [cls], hidden=False)
        assert name in [v.mistake for v in result.failures], result.summary()
