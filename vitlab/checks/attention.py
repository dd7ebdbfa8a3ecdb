"""Checks for notebook 3 (self-attention): PyTorch's own attention is the oracle.

Letters used in shape comments: B batch, nh heads, N tokens (Nq queries, Nk keys), D model width,
d = D / nh the width of one head (of q and k), dv the width of the values.

Oracles are built-ins: ``F.scaled_dot_product_attention`` for the output (its weights come out of
the same function applied to an identity matrix of values) and ``nn.MultiheadAttention`` with the
student's weights copied in. Every catalogued mistake is a built-in call with changed arguments
(another ``scale``, a transposed or additive mask, queries and keys exchanged, re-ordered qkv rows)
or a re-indexing of the oracle's output, so nothing here is a from-scratch answer.

Values are compared in the inputs' dtype, with a tolerance relative to each tensor's largest value
(``Tolerance.of_largest``): a correct answer whose scale 1/sqrt(d) was rounded to float32 changes the
float64 outputs by up to 6e-8 of their size, and outputs near zero (sums that cancel) by much more
than 6e-8 of their own size, so an element-wise relative tolerance alone would reject it.
When a value differs and no catalogued mistake matches, the judge says which property is broken
(rows that do not sum to one, weight on masked keys, which heads differ, gradients cut off).
How the student's code is called lives in :mod:`vitlab.harness.calls.attention`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.checks import core, messages
from vitlab.checks.core import (
    FLOAT64,
    Case,
    Exercise,
    Inputs,
    Mistake,
    Outcome,
    Scratch,
    Tensors,
    Tolerance,
    Verdict,
    differences,
    require_tensors,
    seeded,
)
from vitlab.harness.calls import attention as calls

# --------------------------------------------------------------------------------------------------
# Tolerances (core.Tolerance: relative to each element and to the tensor's largest value)

#: float32 inputs: float32 sums in another order (float64 inputs: core.FLOAT64, 16x the largest change a
#: float32-rounded scale makes, 6e-8 of the tensor's largest value)
FLOAT32_SUMS = Tolerance(1e-5, 1e-7, of_largest=1e-5)


def tolerance_for(reference: torch.Tensor) -> Tolerance:
    """The tolerance of outputs computed from inputs of ``reference``'s dtype."""
    return FLOAT64 if reference.dtype == torch.float64 else FLOAT32_SUMS


def _differences(
    expected: Tensors,
    got: Tensors,
    tol: Tolerance,
    *,
    check_dtype: bool = True,
    axes: dict[str, Sequence[str]] | None = None,
    names: dict[str, str] | None = None,
) -> list[str]:
    """core.differences with the outputs shown by their names in messages."""
    shown = {key: (names or {}).get(key, key) for key in expected}
    return differences(
        {shown[key]: value for key, value in expected.items()},
        {shown[key]: got[key] for key in expected if key in got},
        tol,
        check_dtype=check_dtype,
        axes={shown[key]: value for key, value in (axes or {}).items() if key in shown} or None,
    )


def _matches(expected: Tensors, got: Tensors, tol: Tolerance) -> bool:
    return not _differences(expected, got, tol, check_dtype=False)


def _first(bad: torch.Tensor, axes: Sequence[str]) -> str:
    index = tuple(int(i) for i in bad.nonzero()[0])
    return messages.index_text(index, axes)


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
    ``mask`` is boolean (True = may attend) or additive (float).
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


# --------------------------------------------------------------------------------------------------
# Structural diagnoses (named by the judges, not by a Mistake's output)

OUTPUT_ORDER = "output and weights returned in the wrong order"
CUT_GRAPH = "the gradients do not flow back (the output is cut off from the autograd graph)"
#: named from a property of the outputs (a row sum, a NaN, a dtype), whatever the code did
NOT_A_SOFTMAX = "weights that are not a softmax over the keys"
OVERFLOW = "exp without subtracting the row maximum (overflow)"
WRONG_DTYPE = "computed in another dtype than the inputs'"
HEADS_AVERAGED = "the weights are averaged over the heads"
ACROSS_HEADS = "attention runs across the heads instead of the tokens (heads axis left after the tokens axis)"

ORDER_FIX = "return the pair (output, weights), in that order."
CUT_GRAPH_FIX = (
    "compute everything with torch operations on the tensors you are given: no .detach(), .data, "
    ".item(), .numpy()/torch.from_numpy or torch.no_grad() on the way to the output."
)


def _named(check: str, name: str, fix: str) -> Verdict:
    return Verdict(False, check, messages.mistake(name, fix), mistake=name)


# --------------------------------------------------------------------------------------------------
# The judge shared by both exercises: shapes first, then values, mistakes, properties


@dataclass(frozen=True)
class Spec:
    """What one exercise's judge needs to know about its outputs."""

    shapes: Callable[[Inputs], dict[str, tuple[int, ...]]]  # expected shapes of output and weights
    oracle: Callable[[Inputs, Outcome], Tensors]  # values and gradients
    mistakes: Callable[[], Sequence[Mistake]]
    shape_verdict: Callable[[str, Inputs, Outcome, dict[str, tuple[int, ...]]], Verdict | None]
    properties: Callable[[Inputs, Outcome, Tensors, Tolerance, set[str]], list[str]]  # failing keys
    axes: Callable[[Inputs], dict[str, Sequence[str]]]
    names: dict[str, str]  # how the outputs are called in messages
    reference: str  # the key of inputs whose dtype the outputs must have

    def judge(self, check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
        require_tensors(outcome, "output", "weights")
        t = outcome.tensors
        want = self.shapes(inputs)
        got = {key: tuple(t[key].shape) for key in want}
        if got != want:
            custom = self.shape_verdict(check, inputs, outcome, want)
            if custom is not None:
                return custom
            try:  # the right values in a typical wrong shape are named as such
                reference = self.oracle(inputs, outcome)
            except Exception:
                reference = None
            return core.shape_verdict(check, want, t, expected=reference, names=self.names)
        close = tolerance_for(inputs[self.reference])
        expected = self.oracle(inputs, outcome)
        problems = _differences(expected, t, close, axes=self.axes(inputs), names=self.names)
        if not problems:
            return Verdict(True, check)
        failing = {key for key, value in expected.items() if not _matches({key: value}, t, close)}
        if failing and not failing & set(want):  # the values are right, some gradient is not
            grads = {key: expected[key] for key in failing}
            same_dtype = all(t[key].dtype == expected[key].dtype for key in want)
            if ("graph" in t and int(t["graph"].item()) == 0) or (same_dtype and _zero_where_not(grads, t)):
                return _named(check, CUT_GRAPH, CUT_GRAPH_FIX)
        for mistake in self.mistakes() if failing & set(want) else ():  # wrong values: a catalogued mistake?
            try:
                wrong = mistake.produce(inputs, outcome)
            except Exception:  # a mistake that cannot be formed for these outputs does not apply
                continue
            if wrong is not None and _matches(wrong, t, close):
                return Verdict(
                    False, check, messages.mistake(mistake.name, mistake.fix), mistake=mistake.name
                )
        found = self.properties(inputs, outcome, expected, close, failing) if failing else []
        wanted = inputs[self.reference].dtype
        wrong_dtype = {self.names.get(k, k): t[k].dtype for k in expected if k in t and t[k].dtype != wanted}
        if wrong_dtype:
            which = " and ".join(wrong_dtype)
            got_dtypes = ", ".join(sorted({str(d) for d in wrong_dtype.values()}))
            found.insert(
                0,
                messages.Named(
                    f"your {which} {'is' if len(wrong_dtype) == 1 else 'are'} {got_dtypes} for {wanted} "
                    "inputs: compute in the inputs' dtype (a float32 constant is fine).",
                    WRONG_DTYPE,
                ),
            )
        head = "\n".join(found) if found else "the values differ from PyTorch's attention."
        named = messages.first_named(found)
        if named is not None:
            head = f"{messages.recognised(named)}\n{head}"
        return Verdict(False, check, f"{head}\nexpected vs got:\n" + "\n".join(problems), mistake=named)


def _zero_where_not(expected: Tensors, got: Tensors) -> bool:
    """Some gradient is exactly 0 at a fifth or more of the places where the expected one is clearly not
    (above a thousandth of its largest value): no gradient reaches (part of) that input."""
    for key, exp in expected.items():
        if key in got and tuple(got[key].shape) == tuple(exp.shape):
            size = exp.abs().double()
            alive = size > 1e-3 * size.max()
            if alive.any() and ((got[key] == 0) & alive).sum() >= 0.2 * alive.sum():
                return True
    return False


def _swapped(want: dict[str, tuple[int, ...]], t: Tensors) -> bool:
    return tuple(t["output"].shape) == want["weights"] and tuple(t["weights"].shape) == want["output"]


def _row_sums(weights: torch.Tensor, close: Tolerance, axes: Sequence[str]) -> str | None:
    sums = weights.double().sum(-1)  # (..., Nq)
    bad = ~torch.isclose(sums, torch.ones_like(sums), rtol=0.0, atol=max(close.rtol * 10, 1e-9))
    if not bad.any():
        return None
    index = tuple(int(i) for i in bad.nonzero()[0])
    return messages.Named(
        f"the rows of the weights do not sum to one (the row at {messages.index_text(index, axes[:-1])} "
        f"sums to {messages.number(sums[index].item())}): softmax over the keys, the last axis (dim=-1).",
        NOT_A_SOFTMAX,
    )


def _not_finite(t: Tensors, names: dict[str, str], axes: dict[str, Sequence[str]]) -> str | None:
    for key in ("weights", "output"):
        bad = ~torch.isfinite(t[key])
        if bad.any():
            return messages.Named(
                f"your {names.get(key, key)} contain NaN or inf (first at {_first(bad, axes.get(key, ()))}): "
                "exp overflowed or 0 was divided by 0; subtract each row's largest score before exp, or "
                "use torch.softmax, which does.",
                OVERFLOW,
            )
    return None


# --------------------------------------------------------------------------------------------------
# Exercise 1: scaled_dot_product_attention


def _sdpa_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    """F.scaled_dot_product_attention: output, weights and the gradients of q, k and v."""
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


def _scaled(scale: Callable[[Inputs], float | None]) -> Callable[[Inputs, Outcome], Tensors | None]:
    """The attention with another scale (None: the mistake does not apply to these inputs)."""

    def produce(i: Inputs, _: Outcome) -> Tensors | None:
        s = scale(i)
        if s is None or math.isclose(s, 1 / math.sqrt(i["q"].shape[-1])):
            return None
        out, weights = attention_oracle(i["q"], i["k"], i["v"], i.get("mask"), scale=s)
        return {"output": out, "weights": weights}

    return produce


def _sdpa_mistakes() -> list[Mistake]:
    def wrong_axis(i: Inputs, _: Outcome) -> Tensors:
        q, k, v, mask = i["q"], i["k"], i["v"], i.get("mask")
        # softmax down each column (over the queries): the keys' view of the queries, transposed
        _, by_key = attention_oracle(k, q, v, _transposed(mask, q, k))  # (..., Nk, Nq)
        return _with_weights(by_key.transpose(-1, -2), v)

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

    def masked_with_zero(i: Inputs, _: Outcome) -> Tensors | None:
        q, k, v, mask = i["q"], i["k"], i["v"], i.get("mask")
        if mask is None:
            return None
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # (..., Nq, Nk)
        additive = torch.where(mask, torch.zeros_like(scores), -scores)  # masked scores become 0
        out, weights = attention_oracle(q, k, v, additive)
        return {"output": out, "weights": weights}

    def q_k_swapped(i: Inputs, _: Outcome) -> Tensors | None:
        q, k, v, mask = i["q"], i["k"], i["v"], i.get("mask")
        if q.shape[-2] != k.shape[-2]:
            return None
        _, weights = attention_oracle(k, q, v, mask)  # softmax(k q^T): row i scores key i against queries
        return _with_weights(weights, v)

    d = lambda i: i["q"].shape[-1]  # noqa: E731
    return [
        Mistake(
            "softmax over the wrong axis (the queries instead of the keys)",
            "each query's weights must sum to one over the keys: softmax(scores, dim=-1).",
            wrong_axis,
        ),
        Mistake(
            "missing the 1/sqrt(d) scaling",
            "divide the scores q @ k^T by math.sqrt(d), d = q.shape[-1].",
            _scaled(lambda i: 1.0),
        ),
        Mistake(
            "scores divided by d instead of sqrt(d)",
            "the scale is 1 / math.sqrt(d), not 1 / d.",
            _scaled(lambda i: 1.0 / d(i)),
        ),
        Mistake(
            "scores multiplied by sqrt(d) instead of divided by it",
            "divide the scores by math.sqrt(d) (or multiply them by d ** -0.5).",
            _scaled(lambda i: math.sqrt(d(i))),
        ),
        Mistake(
            "the scale uses the width of the values (v.shape[-1]) instead of the width d of q and k",
            "d is the width of the queries and keys, q.shape[-1]; the values may be wider or narrower.",
            _scaled(lambda i: 1 / math.sqrt(i["v"].shape[-1])),
        ),
        Mistake(
            "the scale uses the number of keys instead of their width d",
            "d is the width of each query and key vector, q.shape[-1], not the number of tokens k.shape[-2].",
            _scaled(lambda i: 1 / math.sqrt(i["k"].shape[-2])),
        ),
        Mistake(
            "the mask is applied after the softmax",
            "mask the scores before the softmax (masked_fill(~mask, float('-inf'))), so that the remaining "
            "weights of each row still sum to one.",
            mask_after_softmax,
        ),
        Mistake(
            "the masked scores are set to 0 instead of -inf",
            "a score of 0 still gets weight exp(0) after the softmax: fill the masked scores with "
            "float('-inf') so that their weight is exactly 0.",
            masked_with_zero,
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


SDPA_MISTAKES = _sdpa_mistakes()


def _lead_axes(n: int) -> tuple[str, ...]:
    return {0: (), 1: ("batch",), 2: ("batch", "head")}.get(n, tuple(f"axis {i}" for i in range(n)))


def _sdpa_axes(inputs: Inputs) -> dict[str, Sequence[str]]:
    lead = _lead_axes(inputs["q"].dim() - 2)
    return {
        "output": (*lead, "query", "feature"),
        "weights": (*lead, "query", "key"),
        "grad_q": (*lead, "query", "feature"),
        "grad_k": (*lead, "key", "feature"),
        "grad_v": (*lead, "key", "feature"),
    }


SDPA_NAMES = {"grad_q": "gradient of q", "grad_k": "gradient of k", "grad_v": "gradient of v"}


def _sdpa_shapes(inputs: Inputs) -> dict[str, tuple[int, ...]]:
    q, k, v = inputs["q"], inputs["k"], inputs["v"]
    mask = inputs.get("mask")
    lead = torch.broadcast_shapes(
        q.shape[:-2], k.shape[:-2], v.shape[:-2], mask.shape[:-2] if mask is not None else ()
    )
    return {"output": (*lead, q.shape[-2], v.shape[-1]), "weights": (*lead, q.shape[-2], k.shape[-2])}


def _sdpa_shape_verdict(check: str, inputs: Inputs, outcome: Outcome, want: dict) -> Verdict | None:
    if _swapped(want, outcome.tensors):
        return _named(check, OUTPUT_ORDER, ORDER_FIX)
    note = "\nthe output is (..., Nq, dv) and the weights (..., Nq, Nk), with the leading axes of q, k and v."
    return core.shape_verdict(check, want, outcome.tensors, note=note)


def _sdpa_properties(
    inputs: Inputs, outcome: Outcome, expected: Tensors, close: Tolerance, failing: set[str]
) -> list[str]:
    t, axes = outcome.tensors, _sdpa_axes(inputs)
    if not failing & {"output", "weights"}:
        return [
            "the output and the weights are right but the gradients are not: something between q, k, v and "
            "the output is not a plain differentiable torch operation."
        ]
    broken = _not_finite(t, {}, axes)
    if broken:
        return [broken]
    found = []
    rows = _row_sums(t["weights"], close, axes["weights"])
    if rows:
        found.append(rows)
    mask = inputs.get("mask")
    if mask is not None:
        leak = (t["weights"] != 0) & ~mask.expand(t["weights"].shape)
        if leak.any():
            found.append(
                f"the output ignores the mask: weights where the mask is False must be exactly 0 "
                f"(the first nonzero one is at {_first(leak, axes['weights'])})."
            )
    combined = t["weights"].to(t["output"].dtype) @ inputs["v"].to(t["output"].dtype)  # (..., Nq, dv)
    if not _matches({"output": combined}, t, close):
        found.append("the output is not your weights @ v.")
    if not found and "weights" in failing:
        found.append(
            "the weights are a softmax over the keys that respects the mask, but not the softmax of "
            "q @ k^T / sqrt(d): look at the scores and the scale."
        )
    return found


SDPA_SPEC = Spec(
    _sdpa_shapes,
    _sdpa_oracle,
    lambda: SDPA_MISTAKES,
    _sdpa_shape_verdict,
    _sdpa_properties,
    _sdpa_axes,
    SDPA_NAMES,
    "q",
)


def causal_mask(N: int) -> torch.Tensor:
    """(N, N) bool, True on and below the diagonal: token i may attend to tokens 0..i."""
    return torch.ones(N, N, dtype=torch.bool).tril()


def padding_mask(B: int, Nk: int, lengths: list[int]) -> torch.Tensor:
    """(B, 1, Nk) bool: the first lengths[b] keys of example b are real, the rest padding."""
    return (torch.arange(Nk)[None, :] < torch.tensor(lengths)[:, None])[:, None, :]


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
    loud: float = 1.0,
) -> Case:
    """Random q, k, v (q and k times ``loud``), the output's gradient, and an optional boolean mask."""

    def make() -> Inputs:
        g = seeded(seed)
        inputs = {
            "q": torch.randn(*batch, Nq, d, generator=g, dtype=dtype) * loud,
            "k": torch.randn(*batch, Nk, d, generator=g, dtype=dtype) * loud,
            "v": torch.randn(*batch, Nk, dv or d, generator=g, dtype=dtype),
            "grad_out": torch.randn(*batch, Nq, dv or d, generator=g, dtype=dtype),
        }
        if mask is not None:
            inputs["mask"] = mask()
        return inputs

    return Case(name, make, judge=SDPA_SPEC.judge)


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

#: what the code of a from-scratch attention may not mention (with torch._C, torch.ops... always banned)
SCRATCH_NAMES = (
    ".scaled_dot_product_attention",
    *(f".{name}" for name in calls.PRIVATE_KERNELS),
    "torch.nn.MultiheadAttention",
    ".MultiheadAttention",
    ".multi_head_attention_forward",
    "torch.nn.attention",
    "torch.nn.functional.scaled_dot_product_attention",
)
SDPA_FIX = (
    "write the scores, the mask, the softmax and the weighted sum yourself with @ (or matmul/einsum), "
    "masked_fill and softmax, on all leading axes at once (no Python loop)."
)


def _qkv_mask(B: int, nh: int, N: int, d: int = 8) -> tuple[torch.Tensor, ...]:
    g = seeded(7)
    q, k, v = (torch.randn(B, nh, N, d, generator=g) for _ in range(3))
    return q, k, v, causal_mask(N)


#: (label, B, nh, N): vectorised code runs the same lines and torch calls at every size
SDPA_SIZES = [
    ("B=1, nh=1, N=4", 1, 1, 4),
    ("B=3, nh=1, N=4", 3, 1, 4),
    ("B=1, nh=4, N=4", 1, 4, 4),
    ("B=1, nh=1, N=9", 1, 1, 9),
]

SDPA = Exercise(
    "test_sdpa",
    "scaled_dot_product_attention",
    ("scaled_dot_product_attention",),
    calls.sdpa,
    _sdpa_oracle,
    SDPA_MISTAKES,
    FLOAT64,
    public=SDPA_PUBLIC,
    scratch=Scratch(
        SCRATCH_NAMES,
        calls.sdpa_scratch,
        lambda: {"runs": [_qkv_mask(B, nh, N) for _, B, nh, N in SDPA_SIZES]},
        calls.LABELS,
        tuple(s[0] for s in SDPA_SIZES),
        "the batch, the heads or the tokens",
        SDPA_FIX,
        "from scratch (no built-in attention, no Python loops)",
    ),
    structural=[OUTPUT_ORDER, CUT_GRAPH],
)


# --------------------------------------------------------------------------------------------------
# Exercise 2: MultiHeadSelfAttention, against nn.MultiheadAttention with the student's weights


def mha_oracle(
    inputs: Inputs,
    qkv_w: torch.Tensor,
    qkv_b: torch.Tensor,
    proj_w: torch.Tensor,
    proj_b: torch.Tensor,
    *,
    grads: bool = True,
    mask: torch.Tensor | None = None,
) -> Tensors:
    """nn.MultiheadAttention(batch_first=True) holding the given weights: outputs and gradients.

    ``mask`` is boolean with True = may attend (nn.MultiheadAttention's own boolean mask is the opposite).
    """
    D, nh = inputs["dim"], inputs["heads"]
    mha = nn.MultiheadAttention(D, nh, batch_first=True, dtype=qkv_w.dtype)
    with torch.no_grad():
        mha.in_proj_weight.copy_(qkv_w)
        mha.in_proj_bias.copy_(qkv_b)
        mha.out_proj.weight.copy_(proj_w)
        mha.out_proj.bias.copy_(proj_b)
    x = inputs["x"].clone().requires_grad_(True)
    blocked = None if mask is None else ~mask  # (N, N): True = may not attend (nn.MultiheadAttention)
    out, weights = mha(x, x, x, need_weights=True, average_attn_weights=False, attn_mask=blocked)
    result = {"output": out.detach(), "weights": weights.detach()}
    if grads:
        (out * inputs["grad_out"]).sum().backward()
        result.update(grad_x=x.grad, grad_qkv=mha.in_proj_weight.grad, grad_proj=mha.out_proj.weight.grad)
    return result


def _weights(outcome: Outcome) -> tuple[torch.Tensor, ...]:
    t = outcome.tensors
    return t["qkv_weight"], t["qkv_bias"], t["proj_weight"], t["proj_bias"]


def _msa_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    """nn.MultiheadAttention holding the student's qkv and proj weights: output, weights, gradients."""
    require_tensors(outcome, "qkv_weight", "qkv_bias", "proj_weight", "proj_bias")
    return mha_oracle(inputs, *_weights(outcome))


def _msa_mistakes() -> list[Mistake]:
    def query_scaled(factor: Callable[[int, int, int], float | None]):
        """Scaling the query rows of qkv by f scales every score by f: another scale of the attention."""

        def produce(i: Inputs, o: Outcome) -> Tensors | None:
            D, nh, N = i["dim"], i["heads"], i["x"].shape[1]
            f = factor(D, nh, N)
            if f is None or math.isclose(f, 1.0):
                return None
            w, b, pw, pb = _weights(o)
            w, b = w.clone(), b.clone()
            w[:D] *= f  # the query rows
            b[:D] *= f
            return mha_oracle(i, w, b, pw, pb, grads=False)

        return produce

    def q_k_swapped(i: Inputs, o: Outcome) -> Tensors:
        D = i["dim"]
        w, b, pw, pb = _weights(o)
        order = torch.cat([torch.arange(D, 2 * D), torch.arange(D), torch.arange(2 * D, 3 * D)])
        return mha_oracle(i, w[order], b[order], pw, pb, grads=False)

    def qkv_heads_first(i: Inputs, o: Outcome) -> Tensors | None:
        D, nh = i["dim"], i["heads"]
        if nh == 1:
            return None
        w, b, pw, pb = _weights(o)
        # the fused output read as (nh, 3, d) instead of (3, nh, d): a re-ordering of the qkv rows
        order = torch.arange(3 * D).reshape(nh, 3, D // nh).transpose(0, 1).reshape(-1)
        return mha_oracle(i, w[order], b[order], pw, pb, grads=False)

    def interleaved(merge_too: bool):
        """Heads cut as (d, nh) instead of (nh, d): head h owns features h, h + nh, h + 2H... of q, k and v
        (and, when ``merge_too``, puts them back that way): re-orderings of qkv rows and proj columns."""

        def produce(i: Inputs, o: Outcome) -> Tensors | None:
            D, nh = i["dim"], i["heads"]
            if nh == 1 or nh == D:
                return None
            w, b, pw, pb = _weights(o)
            rows = torch.arange(3 * D).reshape(3, D // nh, nh).transpose(1, 2).reshape(-1)
            columns = torch.arange(D).reshape(D // nh, nh).T.reshape(-1) if merge_too else torch.arange(D)
            return mha_oracle(i, w[rows], b[rows], pw[:, columns], pb, grads=False)

        return produce

    def causal(i: Inputs, o: Outcome) -> Tensors | None:
        N = i["x"].shape[1]
        if N == 1:
            return None
        return mha_oracle(i, *_weights(o), grads=False, mask=causal_mask(N))

    def merged(i: Inputs, o: Outcome) -> Tensors:
        """The heads merged, with the identity as output projection."""
        D = i["dim"]
        w, b, _, _ = _weights(o)
        return mha_oracle(i, w, b, torch.eye(D, dtype=w.dtype), torch.zeros(D, dtype=w.dtype), grads=False)

    def merged_wrong(i: Inputs, o: Outcome) -> Tensors | None:
        B, N, D = i["x"].shape
        nh = i["heads"]
        if nh == 1 or N == 1:
            return None
        z = merged(i, o)
        # the memory of (B, nh, N, d) read as (B, N, D): no transpose before the merge
        wrong = z["output"].reshape(B, N, nh, D // nh).transpose(1, 2).reshape(B, N, D)
        _, _, pw, pb = _weights(o)
        return {"output": F.linear(wrong, pw, pb), "weights": z["weights"]}

    def split_without_transpose(i: Inputs, o: Outcome) -> Tensors | None:
        B, N, D = i["x"].shape
        nh = i["heads"]
        if nh == 1 or N == 1:
            return None
        w, b, pw, pb = _weights(o)
        q, k, v = F.linear(i["x"], w, b).chunk(3, dim=-1)  # (B, N, D) each
        q, k, v = (t.reshape(B, nh, N, D // nh) for t in (q, k, v))  # tokens and heads mixed up
        out, weights = attention_oracle(q, k, v)
        return {"output": F.linear(out.reshape(B, N, D), pw, pb), "weights": weights}

    own = "in your scaled_dot_product_attention (see its test above) or in your own attention code"
    return [
        Mistake(
            "missing the 1/sqrt(d_head) scaling",
            "scale the scores by 1 / math.sqrt(D // num_heads).",
            query_scaled(lambda D, nh, N: math.sqrt(D // nh)),
        ),
        Mistake(
            "scores scaled by 1/sqrt(D) instead of 1/sqrt(d_head)",
            "each head is an attention of width d = D / num_heads: divide by math.sqrt(d), not math.sqrt(D).",
            query_scaled(lambda D, nh, N: None if nh == 1 else math.sqrt(1 / nh)),
        ),
        Mistake(
            "q and k swapped (taken from the wrong thirds of the qkv output)",
            "the fused output is (q, k, v) in that order: q is the first D features, k the next D, "
            "v the last D.",
            q_k_swapped,
        ),
        Mistake(
            "the fused qkv output split as (heads, 3, d_head) instead of (3, heads, d_head)",
            "reshape the (B, N, 3D) output to (B, N, 3, nh, d), then permute to (3, B, nh, N, d) "
            "and unbind(0).",
            qkv_heads_first,
        ),
        *[
            Mistake(
                "heads interleaved: q, k and v split as (d_head, heads) instead of (heads, d_head)",
                "reshape to (B, N, 3, nh, d), heads before their width: head h owns features h * d to "
                "(h + 1) * d - 1 of q, k and v.",
                interleaved(merge_too),
            )
            for merge_too in (False, True)
        ],
        Mistake(
            "a causal mask in self-attention (each token sees only itself and the tokens before it)",
            "a ViT's self-attention has no mask: every patch attends to every patch. Call your attention "
            "without a mask (a causal mask is for language models that predict the next token).",
            causal,
        ),
        Mistake(
            "the output projection is missing",
            "after merging the heads, apply self.proj.",
            lambda i, o: merged(i, o),
        ),
        Mistake(
            "heads merged in the wrong order (no transpose before the reshape)",
            "from (B, nh, N, d) go to (B, N, nh, d) with transpose(1, 2) before reshaping to (B, N, D).",
            merged_wrong,
        ),
        Mistake(
            "heads split without a transpose (tokens mixed across heads)",
            "split (B, N, D) as reshape(B, N, nh, d).transpose(1, 2) -> (B, nh, N, d); a plain reshape to "
            "(B, nh, N, d) mixes tokens.",
            split_without_transpose,
        ),
        Mistake(
            "the attention divides the scores by d_head instead of sqrt(d_head)",
            f"the scale is 1 / math.sqrt(d) {own}.",
            query_scaled(lambda D, nh, N: 1 / math.sqrt(D // nh)),
            catalogued=False,
        ),
        Mistake(
            "the attention multiplies the scores by sqrt(d_head) instead of dividing",
            f"divide by math.sqrt(d) {own}.",
            query_scaled(lambda D, nh, N: D // nh),
            catalogued=False,
        ),
        Mistake(
            "the attention's scale uses the number of tokens instead of the head width",
            f"d is q.shape[-1], the width of one head, {own}.",
            query_scaled(lambda D, nh, N: math.sqrt(D // nh) / math.sqrt(N)),
            catalogued=False,
        ),
    ]


MSA_MISTAKES = _msa_mistakes()
MSA_NAMES = {
    "grad_x": "gradient of x",
    "grad_qkv": "gradient of self.qkv.weight",
    "grad_proj": "gradient of self.proj.weight",
}


def _msa_axes(_: Inputs) -> dict[str, Sequence[str]]:
    return {
        "output": ("batch", "token", "feature"),
        "weights": ("batch", "head", "query", "key"),
        "grad_x": ("batch", "token", "feature"),
        "grad_qkv": ("row", "column"),
        "grad_proj": ("row", "column"),
    }


def _msa_shapes(inputs: Inputs) -> dict[str, tuple[int, ...]]:
    B, N, D = inputs["x"].shape
    nh = inputs["heads"]
    return {"output": (B, N, D), "weights": (B, nh, N, N)}


def _msa_shape_verdict(check: str, inputs: Inputs, outcome: Outcome, want: dict) -> Verdict | None:
    t = outcome.tensors
    if _swapped(want, t):
        return _named(check, OUTPUT_ORDER, ORDER_FIX)
    B, N, D = inputs["x"].shape
    nh = inputs["heads"]
    weights = tuple(t["weights"].shape)
    if weights == (B, N, N) and tuple(t["output"].shape) == want["output"]:
        expected = _msa_oracle(inputs, outcome)["weights"].mean(1)  # (B, N, N)
        if _matches({"weights": expected}, t, tolerance_for(inputs["x"])):
            return _named(
                check,
                HEADS_AVERAGED,
                "return the weights of every head, (B, nh, N, N): do not average "
                "them (nn.MultiheadAttention averages only when asked to).",
            )
    if weights == (B, N, nh, nh) and N != nh:
        return _named(
            check,
            ACROSS_HEADS,
            "after the reshape to (B, N, 3, nh, d), permute to (3, B, nh, N, d): the "
            "heads axis must come before the tokens axis, so that each head's "
            "queries meet the keys of every token.",
        )
    return core.shape_verdict(
        check, want, t, note="\nforward returns (output (B, N, D), weights (B, nh, N, N))."
    )


def _msa_properties(
    inputs: Inputs, outcome: Outcome, expected: Tensors, close: Tolerance, failing: set[str]
) -> list[str]:
    t, axes = outcome.tensors, _msa_axes(inputs)
    if not failing & {"output", "weights"}:
        return [
            "the output and the weights are right but the gradients are not: something on the way from x "
            "to the output is not a plain differentiable torch operation."
        ]
    broken = _not_finite(t, {}, axes)
    if broken:
        return [broken]
    found = []
    rows = _row_sums(t["weights"], close, axes["weights"])
    if rows:
        found.append(rows)
    per_head = [
        _matches({"weights": expected["weights"][:, h]}, {"weights": t["weights"][:, h]}, close)
        for h in range(inputs["heads"])
    ]
    if all(per_head):
        found.append(
            "the attention weights are right (so q and k are cut out right), the output is not: check how "
            "v is cut out, the merge of the heads ((B, nh, N, d) -> transpose(1, 2) -> reshape (B, N, D)) "
            "and self.proj."
        )
    elif any(per_head):
        wrong = [str(h) for h, ok in enumerate(per_head) if not ok]
        found.append(
            f"the weights of head{'s' if len(wrong) > 1 else ''} {', '.join(wrong)} differ, the other "
            "heads are right: check how the heads are cut out of q, k and v."
        )
    elif not rows:
        found.append(
            "the weights of every head differ: check how q, k, v and their heads are cut out of the "
            "qkv output, and the scale 1/sqrt(d) with d = D / num_heads."
        )
    return found


MSA_SPEC = Spec(
    _msa_shapes,
    _msa_oracle,
    lambda: MSA_MISTAKES,
    _msa_shape_verdict,
    _msa_properties,
    _msa_axes,
    MSA_NAMES,
    "x",
)


def msa_inputs(B: int, N: int, D: int, nh: int, seed: int = 0, dtype: torch.dtype = torch.float64) -> Inputs:
    g = seeded(seed)
    return {
        "dim": D,
        "heads": nh,
        "seed": seed,
        "dtype": dtype,
        "x": torch.randn(B, N, D, generator=g, dtype=dtype),
        "grad_out": torch.randn(B, N, D, generator=g, dtype=dtype),
    }


def msa_case(
    name: str, B: int, N: int, D: int, nh: int, seed: int = 0, dtype: torch.dtype = torch.float64
) -> Case:
    return Case(name, lambda: msa_inputs(B, N, D, nh, seed, dtype), judge=MSA_SPEC.judge)


def bad_heads_case(D: int, nh: int) -> Case:
    return Case(
        f"D = {D} cannot be split into {nh} heads",
        lambda: msa_inputs(1, 2, D, D, 0) | {"heads": nh},
        expect_error=ValueError,
    )


MSA_PUBLIC = [
    msa_case("batch of 2, 5 tokens, D = 8, 2 heads", 2, 5, 8, 2),
    msa_case("batch of 3, 7 tokens, D = 18, 3 heads", 3, 7, 18, 3, seed=1),
    bad_heads_case(10, 4),
]

#: (label, B, N, nh) at D = 8
MSA_SIZES = [
    ("B=1, N=4, nh=1", 1, 4, 1),
    ("B=3, N=4, nh=1", 3, 4, 1),
    ("B=1, N=4, nh=4", 1, 4, 4),
    ("B=1, N=9, nh=1", 1, 9, 1),
]

MSA = Exercise(
    "test_msa",
    "MultiHeadSelfAttention",
    ("MultiHeadSelfAttention",),
    calls.msa,
    _msa_oracle,
    MSA_MISTAKES,
    FLOAT64,
    public=MSA_PUBLIC,
    scratch=Scratch(
        SCRATCH_NAMES,
        calls.msa_scratch,
        lambda: {"runs": [(torch.randn(B, N, 8, generator=seeded(8)), nh) for _, B, N, nh in MSA_SIZES]},
        calls.LABELS,
        tuple(s[0] for s in MSA_SIZES),
        "the batch, the heads or the tokens",
        "split the heads with reshape/permute and let @ work on the batch and head axes at once; use "
        "your own scaled_dot_product_attention (no built-in attention, no Python loop).",
        "from scratch (no built-in attention, no Python loops)",
    ),
    structural=[OUTPUT_ORDER, CUT_GRAPH, HEADS_AVERAGED, ACROSS_HEADS],
)

EXERCISES = [SDPA, MSA]
