"""Hidden cases for notebook 4: for layer_norm, a single vector, four axes, a ViT-S width, one feature,
as many tokens as features, a large eps, small features in float32 and another shifted batch; for the
MLP and the block, other widths, MLP ratios that are not 4 (and not whole numbers), head counts, a
single token, long sequences, large inputs (the LayerNorms must do the work), extreme and zero dropout
rates, and the parameter counts."""

from __future__ import annotations

import torch

from vitlab.checks import block as public
from vitlab.checks import layer_norm
from vitlab.checks.core import Case, Inputs, Outcome, Verdict
from vitlab.harness.calls import block as calls


def _judge_mlp_count(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    D, F = inputs["dim"], inputs["hidden"]
    want = 2 * D * F + D + F
    got = int(outcome.tensors["count"])
    if got != want:
        return Verdict(
            False,
            check,
            f"MLP(dim={D}, hidden_dim={F}) holds exactly two Linear layers, {want} "
            f"parameters (fc1: {D * F + F}, fc2: {F * D + D}); yours has {got}.",
        )
    return Verdict(True, check)


HIDDEN = {
    "test_layer_norm": [
        layer_norm.layer_norm_case(
            "one token vector, (D,) = (10,), float64", (10,), dtype=torch.float64, seed=101
        ),
        layer_norm.layer_norm_case("four axes, (B, h, w, D) = (2, 3, 4, 6), float32", (2, 3, 4, 6), seed=102),
        layer_norm.layer_norm_case(
            "a ViT-S width, (B, N, D) = (1, 17, 384), float32", (1, 17, 384), seed=103
        ),
        layer_norm.layer_norm_case(
            "a single feature, (B, N, D) = (3, 4, 1), float64: every output is the bias",
            (3, 4, 1),
            dtype=torch.float64,
            seed=104,
        ),
        layer_norm.layer_norm_case(
            "as many tokens as features, (N, D) = (5, 5), float64", (5, 5), dtype=torch.float64, seed=105
        ),
        layer_norm.layer_norm_case(
            "eps=0.5, (B, N, D) = (4, 6, 8), float64", (4, 6, 8), dtype=torch.float64, seed=106, eps=0.5
        ),
        layer_norm.layer_norm_case(
            "features of size 0.01, default eps, (B, N, D) = (2, 9, 24), float32",
            (2, 9, 24),
            seed=107,
            scale=0.01,
        ),
        layer_norm.layer_norm_case(
            "(B, N, D) = (4, 9, 64), float32, then every feature shifted by -1000",
            (4, 9, 64),
            seed=108,
            shift=-1000.0,
        ),
    ],
    "test_mlp": [
        public.mlp_case("D=4, F=4, no dropout, one token", 1, 1, 4, 4, 0.0, seed=101),
        public.mlp_case("D=32, F=80, dropout 0.9, 2 x 50 tokens", 2, 50, 32, 80, 0.9, seed=102),
        public.mlp_case(
            "D=12, F=18, dropout 0.2, inputs of size 10", 3, 4, 12, 18, 0.2, seed=103, scale=10.0
        ),
        public.mlp_case("D=6, F=3 (narrower than D), dropout 0.3", 2, 3, 6, 3, 0.3, seed=104),
        Case(
            "exactly two Linear layers",
            lambda: {"dim": 6, "hidden": 10, "dropout": 0.1},
            call=calls.mlp_parameter_count,
            judge=_judge_mlp_count,
        ),
    ],
    "test_block": [
        public.structure_case(D=24, num_heads=6, mlp_ratio=1.5),
        public.modes_case(D=8, num_heads=2, dropout=0.1, seed=6),
        public.block_case("one token, batch of one", 1, 1, 8, 2, 4.0, seed=201),
        public.block_case("D=32, nh=8 heads of d=4, F=64, 2 x 50 tokens", 2, 50, 32, 8, 2.0, seed=202),
        public.block_case(
            "a single head (nh=1, d=D=24), F=36, inputs of size 5", 3, 6, 24, 1, 1.5, seed=203, scale=5.0
        ),
        public.block_case(
            "D=24, nh=6 heads of d=4, F=60 (mlp_ratio 2.5), no dropout, 4 x 3 tokens",
            4,
            3,
            24,
            6,
            2.5,
            dropout=0.0,
            seed=204,
        ),
    ],
}
