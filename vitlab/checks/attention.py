"""Checks for notebook 3 (self-attention): PyTorch's own attention is the oracle.

Letters used in shape comments: B batch, H heads, N tokens (Nq queries, Nk keys), D model width,
d = D / H the width of one head.

Oracles are built-ins: ``F.scaled_dot_product_attention`` for the output (its weights come out of
the same function applied to an identity matrix of values) and ``nn.MultiheadAttention`` with the
student's weights copied in. Every catalogued mistake is a built-in call with changed arguments
(``scale=1``, a transposed mask, queries and keys exchanged) or a re-indexing of the oracle's
output, so nothing here is a from-scratch answer.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.checks import guards
from vitlab.checks.core import (
    FLOAT64,
    Case,
    Exercise,
    Inputs,
    Mistake,
    Outcome,
    Tensors,
    Tolerance,
    Verdict,
    describe_error,
    require,
    seeded,
)

FLOAT32_ATTENTION = Tolerance(1e-5, 1e-5)

# --------------------------------------------------------------------------------------------------
# Oracles (PyTorch built-ins)


def attention_oracle(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    scale: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(output (..., Nq, dv), weights (..., Nq, Nk)) from F.scaled_dot_product_attention.

    The weights are the output for the values eye(Nk): row i of weights @ eye is row i of weights.
    """
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scale)
    Nk = k.shape[-2]
    eye = torch.eye(Nk, dtype=v.dtype, device=v.device).expand(*k.shape[:-2], Nk, Nk)
    weights = F.scaled_dot_product_attention(q, k, eye, attn_mask=mask, scale=scale)
    return out, weights


def _transposed(mask: torch.Tensor | None, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor | None:
    """The mask seen from the keys: broadcast to (..., Nq, Nk), then (..., Nk, Nq)."""
    if mask is None:
        return None
    return mask.expand(*q.shape[:-2], q.shape[-2], k.shape[-2]).transpose(-1, -2)


def _safe(
    produce: Callable[[Inputs, Outcome], Tensors | None],
) -> Callable[[Inputs, Outcome], Tensors | None]:
    """A mistake that cannot be formed for these inputs (shapes do not fit) simply does not apply."""

    def wrapped(inputs: Inputs, outcome: Outcome) -> Tensors | None:
        try:
            return produce(inputs, outcome)
        except (RuntimeError, ValueError, IndexError, KeyError):
            return None

    return wrapped


# --------------------------------------------------------------------------------------------------
# Exercise 1: scaled_dot_product_attention


def _run_sdpa(fn, inputs: Inputs) -> Tensors:
    q, k, v = (inputs[name].clone().requires_grad_(True) for name in ("q", "k", "v"))
    result = fn(q, k, v, inputs.get("mask"))
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError("scaled_dot_product_attention should return a pair (output, weights)")
    out, weights = result
    (out * inputs["grad_out"]).sum().backward()
    return {"output": out, "weights": weights, **_grads(grad_q=q, grad_k=k, grad_v=v)}


def _grads(**leaves: torch.Tensor) -> Tensors:
    """Gradients of the given leaves; zeros where none reached them (a detached path, an unused layer)."""
    return {name: t.grad if t.grad is not None else torch.zeros_like(t) for name, t in leaves.items()}


def _sdpa_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    q, k, v = (inputs[name].clone().requires_grad_(True) for name in ("q", "k", "v"))
    out, weights = attention_oracle(q, k, v, inputs.get("mask"))
    (out * inputs["grad_out"]).sum().backward()
    return {
        "output": out.detach(),
        "weights": weights.detach(),
        "grad_q": q.grad,
        "grad_k": k.grad,
        "grad_v": v.grad,
    }


def _with_weights(weights: torch.Tensor, v: torch.Tensor) -> Tensors:
    return {"output": weights @ v, "weights": weights}


def _sdpa_mistakes() -> list[Mistake]:
    def wrong_axis(i: Inputs, _: Outcome) -> Tensors:
        q, k, v, mask = i["q"], i["k"], i["v"], i.get("mask")
        # softmax down each column (over the queries): the keys' view of the queries, transposed
        _, by_key = attention_oracle(k, q, v, _transposed(mask, q, k))  # (..., Nk, Nq)
        return _with_weights(by_key.transpose(-1, -2), v)

    def unscaled(i: Inputs, _: Outcome) -> Tensors:
        out, weights = attention_oracle(i["q"], i["k"], i["v"], i.get("mask"), scale=1.0)
        return {"output": out, "weights": weights}

    def scaled_by_d(i: Inputs, _: Outcome) -> Tensors:
        d = i["q"].shape[-1]
        out, weights = attention_oracle(i["q"], i["k"], i["v"], i.get("mask"), scale=1.0 / d)
        return {"output": out, "weights": weights}

    def mask_after_softmax(i: Inputs, _: Outcome) -> Tensors | None:
        mask = i.get("mask")
        if mask is None:
            return None
        _, weights = attention_oracle(i["q"], i["k"], i["v"])
        return _with_weights(weights.masked_fill(~mask, 0.0), i["v"])

    def mask_ignored(i: Inputs, _: Outcome) -> Tensors | None:
        if i.get("mask") is None:
            return None
        out, weights = attention_oracle(i["q"], i["k"], i["v"])
        return {"output": out, "weights": weights}

    def mask_inverted(i: Inputs, _: Outcome) -> Tensors | None:
        mask = i.get("mask")
        if mask is None:
            return None
        out, weights = attention_oracle(i["q"], i["k"], i["v"], ~mask)
        # a query left with no key: softmax of a row of -inf is NaN (the built-in returns zeros there)
        empty = (~mask).expand(weights.shape).logical_not().all(-1, keepdim=True)  # (..., Nq, 1)
        return {
            "output": out.masked_fill(empty, float("nan")),
            "weights": weights.masked_fill(empty, float("nan")),
        }

    def q_k_swapped(i: Inputs, _: Outcome) -> Tensors | None:
        q, k, v, mask = i["q"], i["k"], i["v"], i.get("mask")
        if q.shape[-2] != k.shape[-2]:
            return None
        _, weights = attention_oracle(k, q, v, mask)  # softmax(k q^T): row i scores key i against queries
        return _with_weights(weights, v)

    mistakes = [
        Mistake(
            "softmax over the wrong axis (the queries instead of the keys)",
            "each query's weights must sum to one over the keys: softmax(scores, dim=-1).",
            wrong_axis,
        ),
        Mistake(
            "missing the 1/sqrt(d) scaling",
            "divide the scores q @ k^T by math.sqrt(d), d = q.shape[-1].",
            unscaled,
        ),
        Mistake(
            "scores divided by d instead of sqrt(d)", "the scale is 1 / math.sqrt(d), not 1 / d.", scaled_by_d
        ),
        Mistake(
            "the mask is applied after the softmax",
            "mask the scores before the softmax (masked_fill(~mask, float('-inf'))), so that the remaining "
            "weights of each row still sum to one.",
            mask_after_softmax,
        ),
        Mistake(
            "the mask is ignored",
            "use the mask: scores.masked_fill(~mask, float('-inf')) before the softmax.",
            mask_ignored,
        ),
        Mistake(
            "the mask is inverted (True must mean 'may attend')",
            "as in F.scaled_dot_product_attention, True marks the keys a query may attend to: fill where "
            "~mask (or mask == False) with -inf.",
            mask_inverted,
        ),
        Mistake(
            "q and k swapped (scores k @ q^T)",
            "the scores are q @ k.transpose(-2, -1): row i holds query i against every key.",
            q_k_swapped,
        ),
    ]
    return [dataclasses.replace(m, produce=_safe(m.produce)) for m in mistakes]


SDPA = Exercise("scaled_dot_product_attention", _run_sdpa, _sdpa_oracle, _sdpa_mistakes(), FLOAT64)


def causal_mask(N: int) -> torch.Tensor:
    """(N, N) bool, True on and below the diagonal: token i may attend to tokens 0..i."""
    return torch.ones(N, N, dtype=torch.bool).tril()


def attention_case(
    name: str,
    batch: tuple[int, ...],
    Nq: int,
    Nk: int,
    d: int,
    dv: int | None = None,
    *,
    mask: Callable[[], torch.Tensor] | None = None,
    seed: int = 0,
    dtype: torch.dtype = torch.float64,
) -> Case:
    def make() -> Inputs:
        g = seeded(seed)
        inputs = {
            "q": torch.randn(*batch, Nq, d, generator=g, dtype=dtype),
            "k": torch.randn(*batch, Nk, d, generator=g, dtype=dtype),
            "v": torch.randn(*batch, Nk, dv or d, generator=g, dtype=dtype),
        }
        inputs["grad_out"] = torch.randn(*batch, Nq, dv or d, generator=g, dtype=dtype)
        if mask is not None:
            inputs["mask"] = mask()
        return inputs

    return Case(name, make)


def padding_mask(B: int, Nk: int, lengths: list[int]) -> torch.Tensor:
    """(B, 1, Nk) bool: the first lengths[b] keys of example b are real, the rest padding."""
    return (torch.arange(Nk)[None, :] < torch.tensor(lengths)[:, None])[:, None, :]


SDPA_PUBLIC = [
    attention_case("batch of 2, 5 tokens, d = 4", (2,), 5, 5, 4),
    attention_case(
        "2 x 3 heads, 6 tokens, d = 8, causal mask", (2, 3), 6, 6, 8, mask=lambda: causal_mask(6), seed=1
    ),
    attention_case(
        "3 queries, 7 keys, d = 4, values of width 5, padding mask",
        (2,),
        3,
        7,
        4,
        5,
        mask=lambda: padding_mask(2, 7, [4, 7]),
        seed=2,
    ),
]

# "From scratch": no built-in attention, no Python loop over batch or heads
FORBIDDEN = {
    F.scaled_dot_product_attention: "F.scaled_dot_product_attention",
    F.multi_head_attention_forward: "nn.MultiheadAttention / F.multi_head_attention_forward",
}
FORBIDDEN_NAMES = ("scaled_dot_product", "multi_head_attention", "flash_attention", "efficient_attention")


def _forbidden_in(calls: list) -> list[str]:
    used = guards.forbidden_calls(calls, FORBIDDEN)
    for func in calls:  # the private aten/ops variants as well
        name = guards._name(func).lower()
        if any(word in name for word in FORBIDDEN_NAMES) and func not in FORBIDDEN and name not in used:
            used.append(guards._name(func))
    return used


def _scratch_record(fn: Callable, sizes: list[tuple[str, Callable[[], tuple]]]) -> Tensors:
    counts, used = [], []
    for _, make_args in sizes:
        calls = guards.torch_calls(fn, *make_args())
        counts.append(len(calls))
        used += [u for u in _forbidden_in(calls) if u not in used]
    return {
        "call_counts": torch.tensor(counts),
        "forbidden": torch.tensor([int(u in used) for u in _LABELS]),
        "other": torch.tensor(len([u for u in used if u not in _LABELS])),
    }


_LABELS = list(FORBIDDEN.values())


def _judge_scratch(sizes: list[tuple[str, Callable[[], tuple]]], loops_over: str):
    def judge(check: str, _: Inputs, outcome: Outcome) -> Verdict:
        if outcome.raised:
            return Verdict(False, check, describe_error(outcome))
        used = [label for flag, label in zip(outcome.tensors["forbidden"].tolist(), _LABELS) if flag]
        if used or outcome.tensors["other"].item():
            what = ", ".join(used) or "a built-in attention kernel"
            return Verdict(
                False,
                check,
                f"this exercise is from scratch, but your code calls {what}.\n"
                "Fix: write the scores, the softmax and the weighted sum yourself "
                "with @ (matmul), softmax and masked_fill.",
                mistake="built-in used",
            )
        counts = dict(zip((name for name, _ in sizes), outcome.tensors["call_counts"].tolist()))
        if guards.call_count_grows(counts):
            detail = ", ".join(f"{name}: {n}" for name, n in counts.items())
            return Verdict(
                False,
                check,
                f"your code makes more PyTorch calls for bigger inputs, so it loops in "
                f"Python over {loops_over} ({detail} calls).\nFix: let batched matmul "
                "(@) work on all leading axes at once.",
                mistake="python loop",
            )
        return Verdict(True, check)

    return judge


def _qkv(*shape: int) -> tuple:
    g = seeded(7)
    return tuple(torch.randn(*shape, generator=g) for _ in range(3))


SDPA_SIZES = [
    ("1 x 1 x 4 tokens", lambda: _qkv(1, 1, 4, 8)),
    ("3 x 1 x 4 tokens", lambda: _qkv(3, 1, 4, 8)),
    ("1 x 4 x 4 tokens", lambda: _qkv(1, 4, 4, 8)),
    ("1 x 1 x 9 tokens", lambda: _qkv(1, 1, 9, 8)),
]
SDPA_SCRATCH = Case(
    "from scratch (no built-in attention, no Python loops)",
    dict,
    run=lambda fn, _: _scratch_record(fn, SDPA_SIZES),
    judge=_judge_scratch(SDPA_SIZES, "the batch, the heads or the tokens"),
)


def test_scaled_dot_product_attention(scaled_dot_product_attention) -> None:
    """Public test of exercise 1: values and gradients against F.scaled_dot_product_attention."""
    require(
        SDPA.verdicts(scaled_dot_product_attention, SDPA_PUBLIC + [SDPA_SCRATCH]),
        "scaled_dot_product_attention",
    )


# --------------------------------------------------------------------------------------------------
# Exercise 2: MultiHeadSelfAttention, against nn.MultiheadAttention with the student's weights


def linears_of(module: nn.Module, D: int) -> tuple[nn.Linear, nn.Linear]:
    qkv, proj = getattr(module, "qkv", None), getattr(module, "proj", None)
    if not isinstance(qkv, nn.Linear) or not isinstance(proj, nn.Linear):
        raise AttributeError(
            "MultiHeadSelfAttention needs self.qkv = nn.Linear(dim, 3 * dim) and "
            "self.proj = nn.Linear(dim, dim)"
        )
    if qkv.bias is None or proj.bias is None:
        raise AttributeError("keep nn.Linear's default bias=True in self.qkv and self.proj")
    if tuple(qkv.weight.shape) != (3 * D, D) or tuple(proj.weight.shape) != (D, D):
        raise AttributeError(
            f"for dim={D}: self.qkv should be nn.Linear({D}, {3 * D}) and self.proj "
            f"nn.Linear({D}, {D}); got weights {tuple(qkv.weight.shape)} and {tuple(proj.weight.shape)}"
        )
    return qkv, proj


def _run_msa(cls, inputs: Inputs) -> Tensors:
    D, H = inputs["dim"], inputs["heads"]
    torch.manual_seed(inputs["seed"])
    module = cls(D, H).to(inputs["dtype"])
    qkv, proj = linears_of(module, D)
    x = inputs["x"].clone().requires_grad_(True)
    result = module(x)
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError("forward should return a pair (output, weights)")
    out, weights = result
    (out * inputs["grad_out"]).sum().backward()
    return {
        "output": out,
        "weights": weights,
        **_grads(grad_x=x, grad_qkv=qkv.weight, grad_proj=proj.weight),
        "qkv_weight": qkv.weight,
        "qkv_bias": qkv.bias,
        "proj_weight": proj.weight,
        "proj_bias": proj.bias,
    }


def mha_oracle(inputs: Inputs, qkv_w, qkv_b, proj_w, proj_b, *, grads: bool = True) -> Tensors:
    """nn.MultiheadAttention(batch_first=True) holding the given weights: outputs and gradients."""
    D, H = inputs["dim"], inputs["heads"]
    mha = nn.MultiheadAttention(D, H, batch_first=True, dtype=qkv_w.dtype)
    with torch.no_grad():
        mha.in_proj_weight.copy_(qkv_w)
        mha.in_proj_bias.copy_(qkv_b)
        mha.out_proj.weight.copy_(proj_w)
        mha.out_proj.bias.copy_(proj_b)
    x = inputs["x"].clone().requires_grad_(True)
    out, weights = mha(x, x, x, need_weights=True, average_attn_weights=False)  # (B, N, D), (B, H, N, N)
    result = {"output": out.detach(), "weights": weights.detach()}
    if grads:
        (out * inputs["grad_out"]).sum().backward()
        result.update(grad_x=x.grad, grad_qkv=mha.in_proj_weight.grad, grad_proj=mha.out_proj.weight.grad)
    return result


def _weights(outcome: Outcome) -> tuple[torch.Tensor, ...]:
    t = outcome.tensors
    return t["qkv_weight"], t["qkv_bias"], t["proj_weight"], t["proj_bias"]


def _msa_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    return mha_oracle(inputs, *_weights(outcome))


def _msa_mistakes() -> list[Mistake]:
    def query_scaled(factor: Callable[[int, int], float | None]):
        def produce(i: Inputs, o: Outcome) -> Tensors | None:
            D, H = i["dim"], i["heads"]
            f = factor(D, H)
            if f is None:
                return None
            w, b, pw, pb = _weights(o)
            w, b = w.clone(), b.clone()
            w[:D] *= f  # the query rows: scaling q scales every score
            b[:D] *= f
            return mha_oracle(i, w, b, pw, pb, grads=False)

        return produce

    def q_k_swapped(i: Inputs, o: Outcome) -> Tensors:
        D = i["dim"]
        w, b, pw, pb = _weights(o)
        order = torch.cat([torch.arange(D, 2 * D), torch.arange(D), torch.arange(2 * D, 3 * D)])
        return mha_oracle(i, w[order], b[order], pw, pb, grads=False)

    def qkv_heads_first(i: Inputs, o: Outcome) -> Tensors | None:
        D, H = i["dim"], i["heads"]
        if H == 1:
            return None
        w, b, pw, pb = _weights(o)
        # the fused output read as (H, 3, d) instead of (3, H, d): a re-ordering of the qkv rows
        order = torch.arange(3 * D).reshape(H, 3, D // H).transpose(0, 1).reshape(-1)
        return mha_oracle(i, w[order], b[order], pw, pb, grads=False)

    def merged(i: Inputs, o: Outcome) -> torch.Tensor:
        D = i["dim"]
        w, b, _, _ = _weights(o)
        eye = torch.eye(D, dtype=w.dtype)
        return mha_oracle(
            i, w, b, eye, torch.zeros(D, dtype=w.dtype), grads=False
        )  # heads merged, no projection

    def no_projection(i: Inputs, o: Outcome) -> Tensors:
        return merged(i, o)

    def merged_wrong(i: Inputs, o: Outcome) -> Tensors | None:
        B, N, D, H = i["B"], i["N"], i["dim"], i["heads"]
        if H == 1 or N == 1:
            return None
        z = merged(i, o)
        # the memory of (B, H, N, d) read as (B, N, D): no transpose before the merge
        wrong = z["output"].reshape(B, N, H, D // H).transpose(1, 2).reshape(B, N, D)
        _, _, pw, pb = _weights(o)
        return {"output": F.linear(wrong, pw, pb), "weights": z["weights"]}

    def split_without_transpose(i: Inputs, o: Outcome) -> Tensors | None:
        B, N, D, H = i["B"], i["N"], i["dim"], i["heads"]
        if H == 1 or N == 1:
            return None
        w, b, pw, pb = _weights(o)
        q, k, v = F.linear(i["x"], w, b).chunk(3, dim=-1)  # (B, N, D) each
        q, k, v = (t.reshape(B, H, N, D // H) for t in (q, k, v))  # tokens and heads mixed up
        out, weights = attention_oracle(q, k, v)
        return {"output": F.linear(out.reshape(B, N, D), pw, pb), "weights": weights}

    mistakes = [
        Mistake(
            "missing the 1/sqrt(d_head) scaling",
            "scale the scores by 1 / math.sqrt(D // num_heads).",
            query_scaled(lambda D, H: math.sqrt(D // H)),
        ),
        Mistake(
            "scores scaled by 1/sqrt(D) instead of 1/sqrt(d_head)",
            "each head is an attention of width d = D / num_heads: divide by math.sqrt(d), not math.sqrt(D).",
            query_scaled(lambda D, H: None if H == 1 else math.sqrt(1 / H)),
        ),
        Mistake(
            "q and k swapped (taken from the wrong thirds of the qkv output)",
            "the fused output is (q, k, v) in that order: q is the first D features, k the next D, "
            "v the last D.",
            q_k_swapped,
        ),
        Mistake(
            "the fused qkv output split as (heads, 3, d_head) instead of (3, heads, d_head)",
            "reshape the (B, N, 3D) output to (B, N, 3, H, d), then permute to (3, B, H, N, d) "
            "and unbind(0).",
            qkv_heads_first,
        ),
        Mistake(
            "the output projection is missing", "after merging the heads, apply self.proj.", no_projection
        ),
        Mistake(
            "heads merged in the wrong order (no transpose before the reshape)",
            "from (B, H, N, d) go to (B, N, H, d) with transpose(1, 2) before reshaping to (B, N, D).",
            merged_wrong,
        ),
        Mistake(
            "heads split without a transpose (tokens mixed across heads)",
            "split (B, N, D) as reshape(B, N, H, d).transpose(1, 2) -> (B, H, N, d); a plain reshape to "
            "(B, H, N, d) mixes tokens.",
            split_without_transpose,
        ),
    ]
    return [dataclasses.replace(m, produce=_safe(m.produce)) for m in mistakes]


MSA = Exercise("MultiHeadSelfAttention", _run_msa, _msa_oracle, _msa_mistakes(), FLOAT64)


def msa_case(
    name: str, B: int, N: int, D: int, H: int, seed: int = 0, dtype: torch.dtype = torch.float64
) -> Case:
    def make() -> Inputs:
        g = seeded(seed)
        return {
            "B": B,
            "N": N,
            "dim": D,
            "heads": H,
            "seed": seed,
            "dtype": dtype,
            "x": torch.randn(B, N, D, generator=g, dtype=dtype),
            "grad_out": torch.randn(B, N, D, generator=g, dtype=dtype),
        }

    return Case(name, make)


MSA_PUBLIC = [
    msa_case("batch of 2, 5 tokens, D = 8, 2 heads", 2, 5, 8, 2),
    msa_case("batch of 3, 7 tokens, D = 12, 3 heads", 3, 7, 12, 3, seed=1),
    Case(
        "D = 10 cannot be split into 4 heads",
        lambda: {"B": 1, "N": 2, "dim": 10, "heads": 4, "seed": 0, "dtype": torch.float64},
        expect_error=ValueError,
    ),
]


MSA_SIZES = [
    ("B=1, H=1", 1, 4, 8, 1),
    ("B=3, H=1", 3, 4, 8, 1),
    ("B=1, H=4", 1, 4, 8, 4),
    ("B=1, N=9, H=1", 1, 9, 8, 1),
]


def _run_msa_scratch(cls, _: Inputs) -> Tensors:
    """Build the student's module at a few sizes and record what its forward calls."""
    counts, used = [], []
    for _, B, N, D, H in MSA_SIZES:
        torch.manual_seed(0)
        module = cls(D, H)
        calls = guards.torch_calls(module, torch.randn(B, N, D, generator=seeded(8)))
        counts.append(len(calls))
        used += [u for u in _forbidden_in(calls) if u not in used]
    return {
        "call_counts": torch.tensor(counts),
        "forbidden": torch.tensor([int(u in used) for u in _LABELS]),
        "other": torch.tensor(len([u for u in used if u not in _LABELS])),
    }


MSA_SCRATCH = Case(
    "from scratch (no built-in attention, no Python loop over batch or heads)",
    dict,
    run=_run_msa_scratch,
    judge=_judge_scratch([(s[0], None) for s in MSA_SIZES], "the batch or the heads"),
)


def test_multi_head_self_attention(MultiHeadSelfAttention) -> None:
    """Public test of exercise 2: outputs, weights and gradients equal nn.MultiheadAttention's."""
    require(MSA.verdicts(MultiHeadSelfAttention, MSA_PUBLIC + [MSA_SCRATCH]), "MultiHeadSelfAttention")


EXERCISES = [SDPA, MSA]
#: diagnoses that come from structural checks rather than from a Mistake's output
STRUCTURAL_MISTAKES = ["built-in used", "python loop"]
