"""Notebook 3's oracles: the built-in tricks the checks rely on do what they claim."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from vitlab.checks import attention as checks


def explicit(q, k, v, mask=None, scale=None):
    scores = q @ k.transpose(-2, -1) * (scale if scale is not None else 1 / math.sqrt(q.shape[-1]))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(-1)
    return weights @ v, weights


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
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_the_multihead_oracle_layout_is_q_k_v_then_heads():
    """in_proj_weight rows: all queries (head by head), then keys, then values: the fused qkv layout."""
    B, N, D, H = 2, 5, 12, 3
    d = D // H
    inputs = {
        "dim": D,
        "heads": H,
        "x": torch.randn(B, N, D, dtype=torch.float64),
        "grad_out": torch.randn(B, N, D, dtype=torch.float64),
    }
    qkv, proj = nn.Linear(D, 3 * D).double(), nn.Linear(D, D).double()
    got = checks.mha_oracle(inputs, qkv.weight, qkv.bias, proj.weight, proj.bias)
    q, k, v = qkv(inputs["x"]).reshape(B, N, 3, H, d).permute(2, 0, 3, 1, 4)
    out, weights = explicit(q, k, v)
    torch.testing.assert_close(got["output"], proj(out.transpose(1, 2).reshape(B, N, D)).detach())
    torch.testing.assert_close(got["weights"], weights.detach())


def test_a_mistake_that_does_not_fit_the_shapes_is_skipped():
    inputs = checks.SDPA_PUBLIC[2].inputs()  # 3 queries, 7 keys: q and k cannot be swapped
    swapped = next(m for m in checks.SDPA.mistakes if m.name.startswith("q and k swapped"))
    assert swapped.produce(inputs, checks.Outcome()) is None
