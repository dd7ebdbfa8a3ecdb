"""Notebook 3's checks: the built-in tricks the oracles rely on, the tolerance a float32 constant needs,
the judges' diagnoses on outputs made here, and the from-scratch check's reach (private kernels, loops
over the batch, the heads and the tokens)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from instructor import attention as hidden
from vitlab.checks import attention as checks
from vitlab.checks import scratch as scratch_checks
from vitlab.checks.core import FLOAT64, Outcome
from vitlab.harness import scratch
from vitlab.harness.calls import attention as calls


def explicit(q, k, v, mask=None, scale=None):
    scores = q @ k.transpose(-2, -1) * (scale if scale is not None else 1 / math.sqrt(q.shape[-1]))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(-1)
    return weights @ v, weights


def run_sdpa(fn, inputs) -> Outcome:
    return Outcome(calls.sdpa({"scaled_dot_product_attention": fn}, inputs))


FLOAT64_CASES = [c for c in checks.SDPA_PUBLIC + hidden.SDPA_HIDDEN if c.judge is checks.SDPA_SPEC.judge]


# --------------------------------------------------------------------------------------------------
# Oracles


@pytest.mark.parametrize("mask", [None, checks.causal_mask(5)])
@pytest.mark.parametrize("scale", [None, 1.0])
def test_weights_from_identity_values_equal_the_softmax(mask, scale):
    q, k, v = torch.randn(3, 2, 4, 5, 6, dtype=torch.float64).unbind(0)
    out, weights = checks.attention_oracle(q, k, v, mask, scale)
    want_out, want_weights = explicit(q, k, v, mask, scale)
    torch.testing.assert_close(out, want_out, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(weights, want_weights, rtol=1e-12, atol=1e-12)


def test_the_oracle_gradients_agree_with_the_explicit_formula():
    q, k, v = (torch.randn(2, 3, 6, 4, dtype=torch.float64, requires_grad=True) for _ in range(3))
    grads = []
    for fn in (checks.attention_oracle, explicit):
        out, _ = fn(q, k, v, checks.causal_mask(6))
        grads.append(torch.autograd.grad(out.square().sum(), (q, k, v)))
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_the_multihead_oracle_layout_is_q_k_v_then_heads():
    """in_proj_weight rows: all queries (head by head), then keys, then values: the fused qkv layout."""
    B, N, D, H = 2, 5, 12, 3
    inputs = checks.msa_inputs(B, N, D, H, seed=3)
    qkv, proj = nn.Linear(D, 3 * D).double(), nn.Linear(D, D).double()
    got = checks.mha_oracle(inputs, qkv.weight, qkv.bias, proj.weight, proj.bias)
    q, k, v = qkv(inputs["x"]).reshape(B, N, 3, H, D // H).permute(2, 0, 3, 1, 4)
    out, weights = explicit(q, k, v)
    torch.testing.assert_close(got["output"], proj(out.transpose(1, 2).reshape(B, N, D)).detach())
    torch.testing.assert_close(got["weights"], weights.detach())


def test_the_multihead_oracle_reads_a_boolean_mask_as_may_attend():
    """The causal-mask mistake is nn.MultiheadAttention with the mask inverted into its own convention."""
    B, N, D, H = 2, 5, 12, 3
    inputs = checks.msa_inputs(B, N, D, H, seed=5)
    qkv, proj = nn.Linear(D, 3 * D).double(), nn.Linear(D, D).double()
    mask = checks.causal_mask(N)
    got = checks.mha_oracle(inputs, qkv.weight, qkv.bias, proj.weight, proj.bias, grads=False, mask=mask)
    q, k, v = qkv(inputs["x"]).reshape(B, N, 3, H, D // H).permute(2, 0, 3, 1, 4)
    out, weights = explicit(q, k, v, mask)
    torch.testing.assert_close(got["output"], proj(out.transpose(1, 2).reshape(B, N, D)).detach())
    torch.testing.assert_close(got["weights"], weights.detach())
    assert (got["weights"][..., ~mask] == 0).all()


# --------------------------------------------------------------------------------------------------
# Tolerance: a scale rounded to float32 passes every float64 case; a real mistake does not


FLOAT32_SCALES = {
    "torch.sqrt(torch.tensor(d, dtype=torch.float32))": lambda d: (
        1 / torch.sqrt(torch.tensor(d, dtype=torch.float32))
    ),
    "torch.tensor(d).rsqrt()": lambda d: torch.tensor(d).rsqrt(),
    "float32 d ** -0.5 as a Python float": lambda d: torch.tensor(d**-0.5, dtype=torch.float32).item(),
}


@pytest.mark.parametrize("scale", list(FLOAT32_SCALES), ids=list(FLOAT32_SCALES))
def test_a_float32_scale_passes_every_float64_case(scale):
    make = FLOAT32_SCALES[scale]
    for case in FLOAT64_CASES:
        inputs = case.inputs()
        outcome = run_sdpa(lambda q, k, v, mask=None: explicit(q, k, v, mask, make(q.shape[-1])), inputs)
        verdict = checks.SDPA_SPEC.judge(case.name, inputs, outcome)
        assert verdict.passed, f"{case.name}: {verdict.message}"


def test_an_element_wise_float64_tolerance_would_reject_the_float32_scale():
    """Why the judge's tolerance is relative to each tensor's size: values near 0 move far more than 1e-6."""
    inputs = checks.SDPA_PUBLIC[1].inputs()  # d = 8: sqrt(8) is not exact in float32
    exact = run_sdpa(explicit, inputs).tensors
    rounded = run_sdpa(
        lambda q, k, v, mask=None: explicit(q, k, v, mask, FLOAT32_SCALES["torch.tensor(d).rsqrt()"](8)),
        inputs,
    ).tensors
    relative = ((rounded["grad_k"] - exact["grad_k"]).abs() / exact["grad_k"].abs()).max().item()
    assert relative > 1e-6


def test_a_small_real_error_is_caught_and_its_digits_shown():
    inputs = checks.SDPA_PUBLIC[0].inputs()
    outcome = run_sdpa(
        lambda q, k, v, mask=None: explicit(q, k, v, mask, 1.0001 / math.sqrt(q.shape[-1])), inputs
    )
    verdict = checks.SDPA_SPEC.judge("sdpa", inputs, outcome)
    assert not verdict.passed and not verdict.checker_error
    line = next(x for x in verdict.message.splitlines() if x.startswith("weights:"))
    expected, got = line.split("expected ")[1].split(", got ")
    assert expected.split()[0] != got.split()[0], line


# --------------------------------------------------------------------------------------------------
# Catalogue and diagnoses


def test_a_mistake_that_does_not_fit_the_shapes_is_skipped():
    inputs = checks.SDPA_PUBLIC[2].inputs()  # 3 queries, 7 keys: q and k cannot be swapped
    swapped = next(m for m in checks.SDPA_MISTAKES if m.name.startswith("q and k swapped"))
    assert swapped.produce(inputs, Outcome()) is None


def test_masking_with_zero_is_what_the_mistake_produces():
    inputs = checks.SDPA_PUBLIC[1].inputs()
    q, k, v, mask = inputs["q"], inputs["k"], inputs["v"], inputs["mask"]
    scores = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).masked_fill(~mask, 0.0)
    weights = scores.softmax(-1)
    mistake = next(m for m in checks.SDPA_MISTAKES if "set to 0" in m.name)
    produced = mistake.produce(inputs, Outcome())
    torch.testing.assert_close(produced["weights"], weights)
    torch.testing.assert_close(produced["output"], weights @ v)


@pytest.mark.parametrize("mistake", checks.SDPA_MISTAKES, ids=[m.name for m in checks.SDPA_MISTAKES])
def test_every_sdpa_mistake_differs_from_the_oracle_on_a_public_case(mistake):
    for case in checks.SDPA_PUBLIC:
        inputs = case.inputs()
        wrong = mistake.produce(inputs, Outcome())
        if wrong is not None and not checks._matches(wrong, checks._sdpa_oracle(inputs, Outcome()), FLOAT64):
            return
    pytest.fail(f"{mistake.name} never differs from the oracle on the public cases")


def test_rows_that_do_not_sum_to_one_and_a_leaking_mask_are_said():
    inputs = checks.SDPA_PUBLIC[1].inputs()  # causal mask

    def unnormalised(q, k, v, mask=None):
        weights = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).sigmoid()
        return weights @ v, weights

    verdict = checks.SDPA_SPEC.judge("sdpa", inputs, run_sdpa(unnormalised, inputs))
    assert not verdict.passed and verdict.mistake == checks.NOT_A_SOFTMAX  # named by the property
    assert "do not sum to one" in verdict.message and "ignores the mask" in verdict.message


def test_wrong_shapes_are_diagnosed_not_crashed_on():
    inputs = checks.SDPA_PUBLIC[0].inputs()
    swapped = checks.SDPA_SPEC.judge(
        "sdpa", inputs, run_sdpa(lambda q, k, v, m=None: explicit(q, k, v)[::-1], inputs)
    )
    assert swapped.mistake == checks.OUTPUT_ORDER
    squeezed = run_sdpa(lambda q, k, v, m=None: (explicit(q, k, v)[0][0], explicit(q, k, v)[1]), inputs)
    verdict = checks.SDPA_SPEC.judge("sdpa", inputs, squeezed)
    assert not verdict.passed and not verdict.checker_error and "expected shape" in verdict.message


def test_the_heads_that_differ_are_named():
    inputs = checks.msa_inputs(2, 5, 8, 2, seed=4)

    class OneHeadUnscaled(nn.Module):
        def __init__(self, dim, heads):
            super().__init__()
            self.heads, self.qkv, self.proj = heads, nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)

        def forward(self, x):
            B, N, D = x.shape
            q, k, v = self.qkv(x).reshape(B, N, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
            scale = torch.tensor([1.0, 1 / math.sqrt(D // self.heads)], dtype=x.dtype)[:, None, None]
            weights = (q @ k.transpose(-2, -1) * scale).softmax(-1)  # head 0 unscaled
            return self.proj((weights @ v).transpose(1, 2).reshape(B, N, D)), weights

    outcome = Outcome(calls.msa({"MultiHeadSelfAttention": OneHeadUnscaled}, inputs))
    verdict = checks.MSA_SPEC.judge("msa", inputs, outcome)
    assert not verdict.passed and "head 0 differ" in verdict.message


def test_a_missing_output_is_a_checker_error():
    inputs = checks.SDPA_PUBLIC[0].inputs()
    case = checks.SDPA_PUBLIC[0]
    verdict = checks.SDPA.verdict(case, inputs, Outcome({"output": torch.zeros(1)}))
    assert verdict.checker_error


def test_extra_parameters_are_named():
    class WithTemperature(nn.Module):
        def __init__(self, dim, heads):
            super().__init__()
            self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
            self.temperature = nn.Parameter(torch.ones(()))

    inputs = {"dim": 8, "heads": 2}
    outcome = Outcome(calls.msa_parameters({"MultiHeadSelfAttention": WithTemperature}, inputs))
    verdict = hidden._parameters_judge("count", inputs, outcome)
    assert not verdict.passed and "temperature" in verdict.message


# --------------------------------------------------------------------------------------------------
# From scratch: private kernels, loops over each of batch, heads and tokens


PRIVATE_CALLS = {
    "torch._scaled_dot_product_attention_math": lambda q, k, v, m=None: (
        torch._scaled_dot_product_attention_math(q, k, v, attn_mask=m)
    ),
    "torch.ops.aten.scaled_dot_product_attention": lambda q, k, v, m=None: (
        torch.ops.aten.scaled_dot_product_attention(q, k, v, attn_mask=m),
        None,
    ),
    "torch.ops.aten._scaled_dot_product_attention_math.default": lambda q, k, v, m=None: (
        torch.ops.aten._scaled_dot_product_attention_math.default(q, k, v, attn_mask=m)
    ),
}


@pytest.mark.parametrize("name", list(PRIVATE_CALLS), ids=list(PRIVATE_CALLS))
def test_private_attention_kernels_are_seen_while_running(name):
    runs = checks.SDPA.scratch.inputs()["runs"]
    record = scratch.watch(PRIVATE_CALLS[name], runs[0], calls.FORBIDDEN)
    assert record.seen, f"{name} ran unnoticed"


DEF = "def scaled_dot_product_attention(q, k, v, mask=None):\n    return "


@pytest.mark.parametrize(
    "source",
    [
        DEF + "torch._scaled_dot_product_attention_math(q, k, v)",
        DEF + "torch.ops.aten.scaled_dot_product_attention(q, k, v)",
        "from torch.nn.functional import scaled_dot_product_attention as fast\n" + DEF + "fast(q, k, v)",
        DEF + "torch._C._nn.scaled_dot_product_attention(q, k, v)",
        "from torch import _native_multi_head_attention as mha\n" + DEF + "mha(q, k, v)",
    ],
)
def test_private_attention_kernels_are_found_in_the_code(source):
    found = scratch_checks.code_violations(
        checks.SDPA.scratch,
        [("sdpa", source)],
        ["scaled_dot_product_attention"],
        ["import torch\nimport torch.nn.functional as F\nfrom torch import nn"],
    )
    assert found


def _loop_over(axis: int):
    """A correct attention that loops in Python over one axis of (B, H, N, d) inputs (the tokens: -2)."""

    def looping(q, k, v, mask=None):
        outs, ws = [], []
        for i in range(q.shape[axis]):
            qi = q.select(axis, i).unsqueeze(axis)
            mi = None if mask is None or axis != -2 else mask.select(-2, i).unsqueeze(-2)
            if axis == -2:
                o, w = explicit(qi, k, v, mi)
            else:
                o, w = explicit(
                    qi, k.select(axis, i).unsqueeze(axis), v.select(axis, i).unsqueeze(axis), mask
                )
            outs.append(o)
            ws.append(w)
        return torch.cat(outs, axis), torch.cat(ws, axis)

    return looping


@pytest.mark.parametrize("axis", [0, 1, -2], ids=["batch", "heads", "tokens"])
def test_a_loop_over_each_axis_is_caught(axis):
    spec = checks.SDPA.scratch
    fn = _loop_over(axis)
    inputs = spec.inputs()
    q, k, v, mask = inputs["runs"][0]
    torch.testing.assert_close(fn(q, k, v, mask)[0], explicit(q, k, v, mask)[0])  # a correct answer
    outcome = Outcome(calls.sdpa_scratch({"scaled_dot_product_attention": fn}, inputs))
    verdict = scratch_checks.run_case(spec).judge("scratch", inputs, outcome)
    assert verdict.mistake == scratch_checks.PYTHON_LOOP, verdict.message


def test_the_reference_shape_passes_the_run_half():
    spec = checks.SDPA.scratch
    inputs = spec.inputs()
    outcome = Outcome(calls.sdpa_scratch({"scaled_dot_product_attention": explicit}, inputs))
    assert scratch_checks.run_case(spec).judge("scratch", inputs, outcome).passed


def test_an_overflow_and_a_float32_softmax_are_named_by_their_outputs():
    """No catalogued mistake reproduces these outputs exactly; their properties name them."""
    inputs = checks.SDPA_PUBLIC[0].inputs()
    large = dict(inputs, q=inputs["q"] * 1e4)  # scores far beyond exp's range, float32 or float64

    def naive(q, k, v, mask=None):
        e = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).exp()
        weights = e / e.sum(-1, keepdim=True)
        return weights @ v, weights

    overflow = checks.SDPA_SPEC.judge("sdpa", large, run_sdpa(naive, large))
    assert not overflow.passed and overflow.mistake == checks.OVERFLOW, overflow.message
    as64 = {k: (v.double() if torch.is_tensor(v) and v.is_floating_point() else v) for k, v in inputs.items()}

    def in_float32(q, k, v, mask=None):
        return explicit(q.float(), k.float(), v.float())

    wrong_dtype = checks.SDPA_SPEC.judge("sdpa", as64, run_sdpa(in_float32, as64))
    assert not wrong_dtype.passed and wrong_dtype.mistake == checks.WRONG_DTYPE, wrong_dtype.message
