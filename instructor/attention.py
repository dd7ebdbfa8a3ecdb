"""Hidden cases for notebook 3: other shapes (no leading axes, one token, d = 1, four leading axes,
fewer keys than queries), masks of every broadcast shape, scores large enough to overflow exp, head
widths whose square root is not exact in float32, float32 inputs, invariants (shuffled keys and
values, shuffled tokens), one head and head width 1, bad head counts, the parameter count of
nn.MultiheadAttention."""

from __future__ import annotations

import torch

from vitlab.checks import attention as public
from vitlab.checks import messages
from vitlab.checks.core import Case, Inputs, Outcome, Verdict, require_tensors, seeded
from vitlab.harness.calls import attention as calls


def _random_mask(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    mask = torch.rand(*shape, generator=seeded(seed)) < 0.6
    mask[..., 0] = True  # every query keeps at least one key
    return mask


def _same_shapes(check: str, pairs: list[tuple[str, torch.Tensor, tuple[int, ...]]]) -> Verdict | None:
    wrong = [messages.shape(name, want, tuple(t.shape)) for name, t, want in pairs if tuple(t.shape) != want]
    return Verdict(False, check, "\n".join(wrong)) if wrong else None


# --------------------------------------------------------------------------------------------------
# scaled_dot_product_attention


def _shuffled_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    """Keys and values shuffled together: the same output, the weights' columns shuffled alike."""
    require_tensors(outcome, "output", "weights", "output_p", "weights_p")
    t, perm = outcome.tensors, inputs["perm"]
    q, k, v = inputs["q"], inputs["k"], inputs["v"]
    out_shape, w_shape = (*q.shape[:-1], v.shape[-1]), (*q.shape[:-1], k.shape[-2])
    shapes = _same_shapes(
        check,
        [
            ("output", t["output"], out_shape),
            ("weights", t["weights"], w_shape),
            ("output (shuffled keys)", t["output_p"], out_shape),
            ("weights (shuffled keys)", t["weights_p"], w_shape),
        ],
    )
    if shapes:
        swapped = {"output": out_shape, "weights": w_shape}
        if public._swapped(swapped, t):
            return public._named(check, public.OUTPUT_ORDER, public.ORDER_FIX)
        return shapes
    close = public.tolerance_for(q)
    if not public._matches({"output": t["output"]}, {"output": t["output_p"]}, close):
        return Verdict(
            False,
            check,
            "shuffling the keys and values together changed the output: attention must "
            "treat its keys as a set (each key keeps its own value).",
        )
    if not public._matches({"weights": t["weights"][..., perm]}, {"weights": t["weights_p"]}, close):
        return Verdict(
            False, check, "shuffling the keys should shuffle the columns of the weights the same way."
        )
    rows = public._row_sums(t["weights"], close, ("batch", "query", "key"))
    return Verdict(False, check, rows) if rows else Verdict(True, check)


SHUFFLED_KEYS = Case(
    "keys and values shuffled together: same output; weights shuffled alike",
    lambda: {
        "q": torch.randn(2, 5, 4, generator=seeded(111), dtype=torch.float64),
        "k": torch.randn(2, 8, 4, generator=seeded(112), dtype=torch.float64),
        "v": torch.randn(2, 8, 3, generator=seeded(113), dtype=torch.float64),
        "perm": torch.randperm(8, generator=seeded(114)),
    },
    call=calls.sdpa_shuffled,
    judge=_shuffled_judge,
)

case = public.attention_case
SDPA_HIDDEN = [
    case("no leading axes: (N, d) = (4, 3)", (), 4, 4, 3, seed=101),
    case("one token", (2,), 1, 1, 5, seed=102),
    case("d = 1", (3,), 6, 6, 1, seed=103),
    case("4 leading axes, 9 queries, 2 keys, values of width 4", (2, 1, 3, 2), 9, 2, 6, 4, seed=104),
    case(
        "(B, nh, N, N) random mask", (2, 3), 5, 5, 4, mask=lambda: _random_mask((2, 3, 5, 5), 105), seed=105
    ),
    case(
        "(N, N) random mask, 10 tokens, d = 12",
        (4,),
        10,
        10,
        12,
        mask=lambda: _random_mask((10, 10), 106),
        seed=106,
    ),
    case(
        "(B, 1, 1, Nk) padding mask over the heads, values of width 3",
        (2, 2),
        4,
        6,
        8,
        3,
        mask=lambda: public.padding_mask(2, 6, [2, 5])[:, None],
        seed=107,
    ),
    case("large d = 512", (2,), 7, 7, 512, seed=108),
    # d = 16: 1/sqrt(d) is exact in float32 too, so scores in the thousands still allow a float32 scale
    case(
        "scores around 1000 (exp would overflow): the softmax stays finite",
        (2,),
        6,
        6,
        16,
        seed=115,
        loud=40.0,
    ),
    case("float32, batch 4 x 2 heads, 16 tokens, d = 32", (4, 2), 16, 16, 32, seed=109, dtype=torch.float32),
    case(
        "float32 with a causal mask, d = 6",
        (3,),
        12,
        12,
        6,
        mask=lambda: public.causal_mask(12),
        seed=110,
        dtype=torch.float32,
    ),
    SHUFFLED_KEYS,
]


# --------------------------------------------------------------------------------------------------
# MultiHeadSelfAttention


def _text(t: torch.Tensor) -> str:
    """A name the harness sent as bytes (the student's, so printable characters only)."""
    raw = bytes(t.to(torch.uint8).tolist()[:60]).decode(errors="replace")
    return "".join(c if c.isprintable() else "?" for c in raw)


def _parameters_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    require_tensors(outcome, "count", "extra_count")
    D, nh = inputs["dim"], inputs["heads"]
    want = sum(p.numel() for p in torch.nn.MultiheadAttention(D, nh).parameters())  # 4 D^2 + 4 D
    t = outcome.tensors
    got, extra = int(t["count"].item()), int(t["extra_count"].item())
    if got == want and extra == 0:
        return Verdict(True, check)
    names = [_text(t[f"extra_{i}"]) for i in range(min(extra, 3)) if f"extra_{i}" in t]
    where = (
        f"; parameters outside self.qkv and self.proj: {', '.join(names)}{' ...' if extra > 3 else ''}"
        if names
        else ""
    )
    return Verdict(
        False,
        check,
        f"for dim={D} and {nh} heads, nn.MultiheadAttention has {want} parameters "
        f"(4 D^2 + 4 D, all in self.qkv and self.proj); yours has {got}{where}.\n"
        "Fix: keep only self.qkv and self.proj as parameters (a constant such as the "
        "scale is a plain number or a buffer, not an nn.Parameter).",
    )


def parameters_case(D: int, nh: int) -> Case:
    return Case(
        f"the parameters of nn.MultiheadAttention (D = {D}, {nh} heads)",
        lambda: {"dim": D, "heads": nh},
        call=calls.msa_parameters,
        judge=_parameters_judge,
    )


def _shuffled_tokens_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    require_tensors(outcome, "output", "output_p")
    t, x = outcome.tensors, inputs["x"]
    shapes = _same_shapes(
        check,
        [
            ("output", t["output"], tuple(x.shape)),
            ("output (shuffled tokens)", t["output_p"], tuple(x.shape)),
        ],
    )
    if shapes:
        return shapes
    if not public._matches(
        {"output": t["output"][:, inputs["perm"]]}, {"output": t["output_p"]}, public.tolerance_for(x)
    ):
        return Verdict(
            False,
            check,
            "shuffling the tokens should shuffle the outputs the same way: "
            "self-attention has no notion of order (each token is treated alike).",
        )
    return Verdict(True, check)


SHUFFLED_TOKENS = Case(
    "shuffled tokens give shuffled outputs",
    lambda: {
        "dim": 8,
        "heads": 2,
        "dtype": torch.float64,
        "x": torch.randn(2, 7, 8, generator=seeded(207), dtype=torch.float64),
        "perm": torch.randperm(7, generator=seeded(208)),
    },
    call=calls.msa_shuffled,
    judge=_shuffled_tokens_judge,
)

msa = public.msa_case
MSA_HIDDEN = [
    msa("one head (B = 2, N = 6, D = 8)", 2, 6, 8, 1, seed=201),
    msa("head width 1 (D = nh = 4)", 3, 5, 4, 4, seed=202),
    msa("one token", 2, 1, 12, 3, seed=203),
    msa("batch of one, 17 tokens, D = 48, 6 heads", 1, 17, 48, 6, seed=204),
    msa("batch of 5, 9 tokens, D = 24, 4 heads", 5, 9, 24, 4, seed=205),
    msa("float32, batch of 4, 65 tokens, D = 192, 3 heads", 4, 65, 192, 3, seed=206, dtype=torch.float32),
    public.bad_heads_case(6, 4),
    public.bad_heads_case(8, 3),
    parameters_case(8, 2),
    parameters_case(192, 3),
    parameters_case(4, 4),
    SHUFFLED_TOKENS,
]

HIDDEN = {"test_sdpa": SDPA_HIDDEN, "test_msa": MSA_HIDDEN}
