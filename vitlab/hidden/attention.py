"""Hidden cases for notebook 3: other shapes, float32, masks of every broadcast shape, invariants,
one head and head width 1, the parameter count of nn.MultiheadAttention, the from-scratch checks."""

from __future__ import annotations

import dataclasses

import torch

from vitlab.checks import attention as public
from vitlab.checks.core import Case, Inputs, Outcome, Tensors, Verdict, describe_error, require, seeded

SDPA_F32 = dataclasses.replace(public.SDPA, tol=public.FLOAT32_ATTENTION)


def _random_mask(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    mask = torch.rand(*shape, generator=seeded(seed)) < 0.6
    mask[..., 0] = True  # every query keeps at least one key
    return mask


SDPA_HIDDEN = [
    public.attention_case("no leading axes: (N, d) = (4, 3)", (), 4, 4, 3, seed=101),
    public.attention_case("one token", (2,), 1, 1, 5, seed=102),
    public.attention_case("d = 1", (3,), 6, 6, 1, seed=103),
    public.attention_case("4 leading axes, 9 queries, 2 keys", (2, 1, 3, 2), 9, 2, 6, 4, seed=104),
    public.attention_case(
        "(B, H, N, N) random mask", (2, 3), 5, 5, 4, mask=lambda: _random_mask((2, 3, 5, 5), 105), seed=105
    ),
    public.attention_case(
        "(N, N) random mask, 10 tokens", (4,), 10, 10, 16, mask=lambda: _random_mask((10, 10), 106), seed=106
    ),
    public.attention_case(
        "(B, 1, 1, Nk) padding mask over heads",
        (2, 2),
        4,
        6,
        8,
        mask=lambda: public.padding_mask(2, 6, [2, 5])[:, None],
        seed=107,
    ),
    public.attention_case("large scores (d = 512) stay finite", (2,), 7, 7, 512, seed=108),
]


def _loud(case: Case, factor: float) -> Case:
    """The same inputs with queries and keys ``factor`` times larger: scores in the thousands."""

    def make() -> Inputs:
        inputs = case.inputs()
        return {**inputs, "q": inputs["q"] * factor, "k": inputs["k"] * factor}

    return dataclasses.replace(case, name=case.name, inputs=make)


SDPA_HIDDEN.append(
    _loud(
        public.attention_case(
            "scores around 1000 (exp would overflow): the softmax stays finite", (2,), 6, 6, 16, seed=115
        ),
        40.0,
    )
)
SDPA_HIDDEN_F32 = [
    public.attention_case(
        "float32, batch 4 x 2 heads, 16 tokens, d = 32", (4, 2), 16, 16, 32, seed=109, dtype=torch.float32
    ),
    public.attention_case(
        "float32 with a causal mask",
        (3,),
        12,
        12,
        8,
        mask=lambda: public.causal_mask(12),
        seed=110,
        dtype=torch.float32,
    ),
]


def _permutation_run(fn, inputs: Inputs) -> Tensors:
    q, k, v = inputs["q"], inputs["k"], inputs["v"]
    perm = inputs["perm"]
    out, weights = fn(q, k, v)
    out_p, weights_p = fn(q, k[..., perm, :], v[..., perm, :])
    return {"output": out, "weights": weights, "output_p": out_p, "weights_p": weights_p}


def _permutation_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    t, perm = outcome.tensors, inputs["perm"]
    if not torch.allclose(t["output_p"], t["output"], rtol=1e-10, atol=1e-12):
        return Verdict(
            False, check, "shuffling the keys and values together should leave the output unchanged"
        )
    if not torch.allclose(t["weights_p"], t["weights"][..., perm], rtol=1e-10, atol=1e-12):
        return Verdict(
            False, check, "shuffling the keys should shuffle the columns of the weights the same way"
        )
    if not torch.allclose(t["weights"].sum(-1), torch.ones_like(t["weights"].sum(-1)), atol=1e-12):
        return Verdict(False, check, "each row of the weights should sum to one")
    return Verdict(True, check)


PERMUTATION = Case(
    "keys and values shuffled together: same output; rows sum to one",
    lambda: {
        "q": torch.randn(2, 5, 4, generator=seeded(111), dtype=torch.float64),
        "k": torch.randn(2, 8, 4, generator=seeded(112), dtype=torch.float64),
        "v": torch.randn(2, 8, 3, generator=seeded(113), dtype=torch.float64),
        "perm": torch.randperm(8, generator=seeded(114)),
    },
    run=_permutation_run,
    judge=_permutation_judge,
)


def test_scaled_dot_product_attention(scaled_dot_product_attention) -> None:
    verdicts = public.SDPA.verdicts(
        scaled_dot_product_attention, SDPA_HIDDEN + [PERMUTATION, public.SDPA_SCRATCH]
    )
    verdicts += SDPA_F32.verdicts(scaled_dot_product_attention, SDPA_HIDDEN_F32)
    require(verdicts, "scaled_dot_product_attention (hidden)")


MSA_F32 = dataclasses.replace(public.MSA, tol=public.FLOAT32_ATTENTION)

MSA_HIDDEN = [
    public.msa_case("one head (B=2, N=6, D=8)", 2, 6, 8, 1, seed=201),
    public.msa_case("head width 1 (D = H = 4)", 3, 5, 4, 4, seed=202),
    public.msa_case("one token", 2, 1, 12, 3, seed=203),
    public.msa_case("batch of one, 17 tokens, D=48, 6 heads", 1, 17, 48, 6, seed=204),
    public.msa_case("batch of 5, 9 tokens, D=24, 4 heads", 5, 9, 24, 4, seed=205),
]
MSA_HIDDEN_F32 = [
    public.msa_case(
        "float32, batch of 4, 65 tokens, D=192, 3 heads", 4, 65, 192, 3, seed=206, dtype=torch.float32
    )
]
BAD_HEADS = [
    Case(
        f"D = {D}, {H} heads",
        lambda D=D, H=H: {"B": 1, "N": 2, "dim": D, "heads": H, "seed": 0, "dtype": torch.float64},
        expect_error=ValueError,
    )
    for D, H in [(6, 4), (8, 3)]
]


def _count_run(cls, inputs: Inputs) -> Tensors:
    module = cls(inputs["dim"], inputs["heads"])
    return {"count": torch.tensor(sum(p.numel() for p in module.parameters()))}


def _count_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    D, H = inputs["dim"], inputs["heads"]
    want = sum(p.numel() for p in torch.nn.MultiheadAttention(D, H).parameters())
    got = int(outcome.tensors["count"])
    if got != want:
        return Verdict(
            False,
            check,
            f"for dim={D}, {H} heads nn.MultiheadAttention has {want} parameters "
            f"(4 D^2 + 4 D); yours has {got}",
        )
    return Verdict(True, check)


COUNTS = [
    Case(
        f"parameter count of nn.MultiheadAttention (D={D}, H={H})",
        lambda D=D, H=H: {"dim": D, "heads": H},
        run=_count_run,
        judge=_count_judge,
    )
    for D, H in [(8, 2), (192, 3), (4, 4)]
]


def _equivariance_run(cls, inputs: Inputs) -> Tensors:
    torch.manual_seed(0)
    module = cls(inputs["x"].shape[-1], 2).double()
    out, _ = module(inputs["x"])
    out_p, _ = module(inputs["x"][:, inputs["perm"]])
    return {"output": out, "output_p": out_p}


def _equivariance_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    t = outcome.tensors
    if not torch.allclose(t["output_p"], t["output"][:, inputs["perm"]], rtol=1e-10, atol=1e-12):
        return Verdict(
            False,
            check,
            "shuffling the tokens should shuffle the outputs the same way "
            "(self-attention has no notion of order)",
        )
    return Verdict(True, check)


EQUIVARIANCE = Case(
    "shuffled tokens give shuffled outputs",
    lambda: {
        "x": torch.randn(2, 7, 8, generator=seeded(207), dtype=torch.float64),
        "perm": torch.randperm(7, generator=seeded(208)),
    },
    run=_equivariance_run,
    judge=_equivariance_judge,
)


def test_multi_head_self_attention(MultiHeadSelfAttention) -> None:
    cases = MSA_HIDDEN + BAD_HEADS + COUNTS + [EQUIVARIANCE, public.MSA_SCRATCH]
    verdicts = public.MSA.verdicts(MultiHeadSelfAttention, cases)
    verdicts += MSA_F32.verdicts(MultiHeadSelfAttention, MSA_HIDDEN_F32)
    require(verdicts, "MultiHeadSelfAttention (hidden)")
