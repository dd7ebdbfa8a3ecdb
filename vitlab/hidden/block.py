"""Hidden cases for notebook 4: other widths, MLP ratios and head counts, a single token, long
sequences, large inputs (LayerNorm must do the work), extreme dropout rates, and the parameter count."""
from __future__ import annotations

import torch

from vitlab.checks import block as public
from vitlab.checks.core import Case, Inputs, Outcome, Verdict, describe_error, require

MLP_HIDDEN = [
    public.mlp_case("D=4, F=4, no dropout, one token", 1, 1, 4, 1.0, 0.0, seed=101),
    public.mlp_case("D=32, F=80, dropout 0.9, 2 x 50 tokens", 2, 50, 32, 2.5, 0.9, seed=102),
    public.mlp_case("D=12, F=18, inputs of size 10", 3, 4, 12, 1.5, 0.2, seed=103, scale=10.0),
]


def _run_mlp_count(MLP, inputs: Inputs) -> dict[str, torch.Tensor]:
    mlp = MLP(inputs["dim"], inputs["hidden"], 0.1)
    return {"count": torch.tensor(sum(p.numel() for p in mlp.parameters()))}


def _judge_mlp_count(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    D, F = inputs["dim"], inputs["hidden"]
    want = 2 * D * F + D + F
    if int(outcome.tensors["count"]) != want:
        return Verdict(False, check, f"an MLP(D={D}, F={F}) holds exactly two Linear layers: {want} "
                                     "parameters; "
                                     f"yours has {int(outcome.tensors['count'])}.")
    return Verdict(True, check)


def test_mlp(MLP) -> None:
    count = Case("exactly two Linear layers", lambda: {"dim": 6, "hidden": 10}, run=_run_mlp_count,
                 judge=_judge_mlp_count)
    require(public.MLP_EXERCISE.verdicts(MLP, MLP_HIDDEN + [count]), "MLP (hidden)")


BLOCK_HIDDEN = [
    public.structure_case(D=24, num_heads=6, mlp_ratio=2.0),
    public.dropout_case(D=8, num_heads=2, dropout=0.1),
    public.block_case("one token, batch of one", 1, 1, 8, 2, 4.0, seed=201),
    public.block_case("D=32, 8 heads, F=64, 2 x 50 tokens", 2, 50, 32, 8, 2.0, seed=202),
    public.block_case("a single head, F=36, inputs of size 5", 3, 6, 24, 1, 1.5, seed=203, scale=5.0),
    public.block_case("D=24, 6 heads, F=72, 4 x 3 tokens", 4, 3, 24, 6, 3.0, dropout=0.0, seed=204),
]


def test_block(EncoderBlock) -> None:
    require(public.BLOCK.verdicts(EncoderBlock, BLOCK_HIDDEN), "EncoderBlock (hidden)")
