"""Checks for notebook 8 (analysis): attention maps, attention rollout, mean attention distance and
the resizing of a learned positional embedding.

Letters used in shape comments (the course's letters): L blocks (layers), B batch, T = 1 + N tokens
(the class token first, then N = h * w patches), D width, d = D / nh, P patch side, h x w the
patch grid (h' x w' after resizing).

Where the expected values come from:

* ``attention_maps``: PyTorch recomputes each layer's maps (``F.multi_head_attention_forward`` with
  ``need_weights=True``) from what the harness recorded in a forward pass of its own (the input of
  every block's attention layer) and the layers' packed projection weights;
* ``attention_rollout``: the rollout *is* the answer, so this module holds no formula for it: the
  public cases compare with literal tables (generated once by ``instructor.analysis.rollout_tables``
  and kept equal to it by tests/test_checks_analysis.py), with the identity (an identity-only model
  rolls out to the identity), and with invariants (rows sum to one, values in [0, 1]);
* ``mean_attention_distance``: hand-built maps in which every query sends its attention a fixed step
  across the grid, so the answer (and the answer of each catalogued mistake) is known by
  construction; the formula is instructor-only (hidden cases on random maps);
* ``resize_pos_embed``: ``F.interpolate`` itself, on a linear ramp and on random embeddings.

How the student's code is called lives in :mod:`vitlab.harness.calls.analysis`.
"""

# ruff: noqa: E501  (the literal tables below are one line per row)
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from vitlab.checks import messages
from vitlab.checks.attention import NOT_A_SOFTMAX, WRONG_DTYPE
from vitlab.checks.core import (
    FLOAT32,
    IN_PLACE_INPUT,
    Case,
    Exercise,
    Inputs,
    Mistake,
    Oracle,
    Outcome,
    Scratch,
    Tensors,
    Tolerance,
    Verdict,
    compare,
    differences,
    seeded,
)
from vitlab.harness.calls import analysis as calls

VECTORISED = "vectorised (no Python loop over the images, heads, layers or patches)"


def stochastic(
    shape: Sequence[int], seed: int, dtype: torch.dtype = torch.float32, sharp: float = 2.0
) -> torch.Tensor:
    """Random attention-like maps: softmax rows of seeded normal scores."""
    scores = torch.randn(*shape, generator=seeded(seed), dtype=torch.float64) * sharp
    return scores.softmax(dim=-1).to(dtype)


# ==================================================================================================
# Exercise 1: attention_maps(model, images) -> (L, B, nh, T, T)

A_HEADS_AVERAGED = "the heads are averaged (MultiheadAttention's default average_attn_weights=True)"
A_TRANSPOSED = "the maps are transposed (keys on the rows, queries on the columns)"
A_NO_SCALE = "the scores were not divided by sqrt(d) before the softmax"
A_SCALE_WIDTH = "the scores were divided by sqrt(D), the model's width, instead of sqrt(d) = sqrt(D / nh)"
A_NO_LAYERNORM = "the maps were computed from the block's input, before its LayerNorm ln_1"
A_AXES = "the layer and batch axes are swapped: (B, L, nh, T, T) instead of (L, B, nh, T, T)"
A_NO_CLASS_TOKEN = "the class token's row and column are left out"
A_TRAINING = "the model ran in training mode, so PatchDropout dropped patch tokens"
A_MODE = "the model's mode was not restored"
A_HOOKS = "hooks (or replaced forward methods) were left on the model"
A_KEPT = "maps are kept between calls (the list lives outside the function), so a second call returns the first call's maps too"
A_LAST_ONLY = "only the last block's maps (one hook on the last block, not one on every block)"
A_NOTHING_RECORDED = "no maps recorded: the hooks were removed before the forward pass ran (or never ran)"
A_PRE_HOOK_KWARGS = "a forward pre-hook that takes kwargs registered without with_kwargs=True"

A_FIXES = {
    A_LAST_ONLY: "attention_maps returns every block's maps, (L, B, nh, T, T): register the hooks on each "
    "block's attention layer (for block in model.encoder.layers: ...), not only on the last one.",
    A_NOTHING_RECORDED: "register the hooks, run the forward pass while they are on, and only then remove "
    "them (try/finally around the forward pass does it even when something raises).",
    A_PRE_HOOK_KWARGS: "a pre-hook that receives and returns the keyword arguments needs "
    "register_forward_pre_hook(hook, with_kwargs=True); without it PyTorch calls hook(module, args).",
    A_HEADS_AVERAGED: "pass need_weights=True and average_attn_weights=False to the attention layer (a forward "
    "pre-hook with with_kwargs=True can change the keyword arguments of the call), so that each head keeps "
    "its own (B, nh, T, T) map.",
    A_TRANSPOSED: "row i of a map holds query i's weights over all keys, so every row sums to one: keep the maps "
    "MultiheadAttention returns as they are (or take the softmax of q @ k^T over the last axis).",
    A_NO_SCALE: "the attention layer computes softmax(q k^T / sqrt(d)) with d = D / nh: divide the scores "
    "before the softmax (or let the layer compute the weights, need_weights=True).",
    A_SCALE_WIDTH: "each head works in d = D / nh dimensions: divide the scores by sqrt(d), not by sqrt(D).",
    A_NO_LAYERNORM: "each block applies ln_1 before attention: self_attention receives layer.ln_1(x). Capture the "
    "input of self_attention (or the output of ln_1), not the block's input.",
    A_AXES: "stack the per-layer maps along a new first axis: torch.stack(maps) (dim=0), which gives "
    "(L, B, nh, T, T).",
    A_NO_CLASS_TOKEN: "return the maps over all T = 1 + N tokens, the class token first: the rollout and the "
    "distances drop it themselves where they need to.",
    A_TRAINING: "call model.eval() before the forward pass: in training mode the course ViT keeps only a random "
    "fraction of the patch tokens (PatchDropout), and dropout is on. Restore the mode afterwards.",
    A_MODE: "remember was_training = model.training before calling model.eval(), and call "
    "model.train(was_training) at the end (in a finally block, so that it happens even after an error).",
    A_HOOKS: "keep the handle every register_forward_hook / register_forward_pre_hook returns and call "
    "handle.remove() on each before returning (in a finally block); restore anything you replaced.",
    A_KEPT: "create the list of maps inside attention_maps, so that every call starts with an empty one.",
}
MAPS_TOL = Tolerance(1e-4, 1e-6)
MAPS_AXES = {"maps": ("layer", "image", "head", "query", "key")}


def attention_weights(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, heads: int, query_scale: float = 1.0
) -> torch.Tensor:
    """PyTorch's attention weights of one layer: x (B, T, D) -> (B, nh, T, T).

    ``query_scale`` multiplies the query projection (a wrong scale of the scores, for the mistakes).
    """
    D = x.shape[-1]
    weight, bias = weight.clone(), bias.clone()
    weight[:D] *= query_scale
    bias[:D] *= query_scale
    eye, zero = torch.eye(D, dtype=x.dtype), torch.zeros(D, dtype=x.dtype)
    seq = x.transpose(0, 1)  # (T, B, D): the layout F.multi_head_attention_forward reads
    _, weights = F.multi_head_attention_forward(
        seq,
        seq,
        seq,
        D,
        heads,
        weight,
        bias,
        None,
        None,
        False,
        0.0,
        eye,
        zero,
        training=False,
        need_weights=True,
        average_attn_weights=False,
    )
    return weights  # (B, nh, T, T)


def recomputed_maps(
    inputs: Inputs, outcome: Outcome, key: str = "ln_inputs", query_scale: float = 1.0
) -> torch.Tensor:
    """Every layer's maps from what the harness recorded: (L, B, nh, T, T)."""
    t = outcome.tensors
    heads = inputs["config"]["heads"]
    layers = [
        attention_weights(x, w, b, heads, query_scale)
        for x, w, b in zip(t[key], t["in_proj_weight"], t["in_proj_bias"], strict=True)
    ]
    return torch.stack(layers)


def _maps_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    return {"maps": recomputed_maps(inputs, outcome)}


def _maps_mistakes() -> list[Mistake]:
    def from_oracle(change: Callable[[torch.Tensor], torch.Tensor]):
        return lambda i, o: {"maps": change(recomputed_maps(i, o))}

    def scaled(factor: Callable[[Inputs], float]):
        return lambda i, o: {"maps": recomputed_maps(i, o, query_scale=factor(i))}

    def d(inputs: Inputs) -> int:
        return inputs["config"]["dim"] // inputs["config"]["heads"]

    return [
        Mistake(A_HEADS_AVERAGED, A_FIXES[A_HEADS_AVERAGED], from_oracle(lambda m: m.mean(dim=2))),
        Mistake(A_TRANSPOSED, A_FIXES[A_TRANSPOSED], from_oracle(lambda m: m.transpose(-1, -2))),
        Mistake(A_NO_SCALE, A_FIXES[A_NO_SCALE], scaled(lambda i: math.sqrt(d(i)))),
        Mistake(A_SCALE_WIDTH, A_FIXES[A_SCALE_WIDTH], scaled(lambda i: 1 / math.sqrt(i["config"]["heads"]))),
        Mistake(
            A_NO_LAYERNORM,
            A_FIXES[A_NO_LAYERNORM],
            lambda i, o: {"maps": recomputed_maps(i, o, "block_inputs")},
        ),
        Mistake(A_AXES, A_FIXES[A_AXES], from_oracle(lambda m: m.transpose(0, 1))),
        Mistake(A_NO_CLASS_TOKEN, A_FIXES[A_NO_CLASS_TOKEN], from_oracle(lambda m: m[..., 1:, 1:])),
        Mistake(A_LAST_ONLY, A_FIXES[A_LAST_ONLY], from_oracle(lambda m: m[-1:])),
    ]


MAPS_MISTAKES = _maps_mistakes()


def _grid_tokens(config: dict) -> int:
    return (config.get("image_size", 28) // config.get("patch_size", 4)) ** 2


def _judge_maps(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    t = outcome.tensors
    maps, expected = t["maps"], recomputed_maps(inputs, outcome)  # (L, B, nh, T, T)
    L, N = expected.shape[0], _grid_tokens(inputs["config"])
    if (
        maps.dim() == 5
        and maps.shape[0] == 2 * L
        and maps.shape[1:] == expected.shape[1:]
        and not differences({"m": expected}, {"m": maps[L:]}, MAPS_TOL, check_dtype=False)
    ):
        return _verdict(check, A_KEPT)
    kept = max(1, round(inputs["config"].get("token_keep", 1.0) * N))
    if inputs["training"] and kept != N and maps.dim() >= 2 and maps.shape[-1] == 1 + kept:
        return _verdict(check, A_TRAINING)
    verdict = compare(check, inputs, outcome, _maps_oracle, MAPS_MISTAKES, MAPS_TOL, MAPS_AXES)
    if not verdict.passed:
        if verdict.mistake is None and maps.shape == expected.shape:
            rows = maps.double().sum(dim=-1)  # (L, B, nh, T)
            if not torch.allclose(rows, torch.ones_like(rows), atol=1e-4):
                verdict = Verdict(
                    False,
                    check,
                    "the rows of your maps do not sum to one (each query's weights "
                    f"over the keys are a softmax).\n{verdict.message}",
                    mistake=NOT_A_SOFTMAX,
                )
        return verdict
    if bool(t["training_after"]) != bool(t["training_before"]):
        came, left = ("training", "eval") if t["training_before"] else ("eval", "training")
        return Verdict(
            False,
            check,
            f"the model came in {came} mode and left in {left} mode: "
            + messages.mistake(A_MODE, A_FIXES[A_MODE]),
            mistake=A_MODE,
        )
    if int(t["hooks_after"]) != int(t["hooks_before"]) or not bool(t["same_modules"]):
        return _verdict(check, A_HOOKS)
    changed = differences({"logits": t["logits_before"]}, {"logits": t["logits_after"]}, MAPS_TOL)
    if changed:
        return Verdict(
            False,
            check,
            "after your function ran, the model's outputs are not what they were "
            "before: attention_maps must leave the model as it found it.\n" + "\n".join(changed),
        )
    return Verdict(True, check)


def _verdict(check: str, mistake: str) -> Verdict:
    return Verdict(False, check, messages.mistake(mistake, A_FIXES[mistake]), mistake=mistake)


def _explain_maps_error(outcome: Outcome) -> tuple[str, str] | None:
    """The hook mistakes that make a forward pass or the final stack raise."""
    if "stack expects a non-empty TensorList" in outcome.error_message:
        return A_NOTHING_RECORDED, A_FIXES[A_NOTHING_RECORDED]
    if re.search(r"missing 1 required positional argument: '\w*kw\w*'", outcome.error_message):
        return A_PRE_HOOK_KWARGS, A_FIXES[A_PRE_HOOK_KWARGS]
    return None


def maps_case(
    name: str, config: dict, batch: int, training: bool, seed: int = 0, float64: bool = False
) -> Case:
    def make() -> Inputs:
        side = config.get("image_size", 28)
        shape = (batch, config.get("channels", 1), side, side)
        return {
            "config": dict(config),
            "seed": seed,
            "training": training,
            "float64": float64,
            "images": torch.randn(*shape, generator=seeded(seed + 1)),
            "first_images": torch.randn(*shape, generator=seeded(seed + 2)),
        }

    return Case(name, make, judge=_judge_maps, explain_error=_explain_maps_error)


ATTENTION_MAPS = Exercise(
    "test_attention_maps",
    "attention_maps",
    ("attention_maps",),
    calls.attention_maps,
    _maps_oracle,
    MAPS_MISTAKES,
    MAPS_TOL,
    public=[
        maps_case(
            "a 2-block model given in training mode (PatchDropout keeps half the patches), "
            "12x12 images in 3x3 patches of 4, 2 heads",
            {"image_size": 12, "patch_size": 4, "dim": 16, "depth": 2, "heads": 2, "token_keep": 0.5},
            batch=3,
            training=True,
        ),
        maps_case(
            "a 3-block mean-pooled model given in eval mode, 28x28 images in 4x4 patches of 7, 4 heads",
            {"image_size": 28, "patch_size": 7, "dim": 32, "depth": 3, "heads": 4, "pool": "mean"},
            batch=2,
            training=False,
            seed=10,
        ),
    ],
    structural=[A_TRAINING, A_MODE, A_HOOKS, A_KEPT, A_NOTHING_RECORDED, A_PRE_HOOK_KWARGS],
)


# ==================================================================================================
# Exercise 2: attention_rollout(maps) -> (B, T, T)

R_NO_IDENTITY = "the identity (the residual connection) was not added"
R_ORDER = "the layers are multiplied in the wrong order (the first layer's matrix ends up on the left)"
R_NOT_RENORMALISED = "the rows were not renormalised after adding the identity"
R_COLUMNS = "the columns were renormalised instead of the rows"
R_MAX = "the heads were fused with max instead of the mean"
R_SUM_HEADS = "the heads were summed instead of averaged"
R_ELEMENTWISE = "the layers were combined element-wise (*) instead of by matrix products (@)"
R_LAYER_LEFT_OUT = "a layer is left out (the loop over the layers starts or stops one too early)"
R_ONES = "a matrix of ones added where the identity belongs (torch.ones instead of torch.eye)"
R_LAYERS_AVERAGED = "the layers' matrices averaged instead of multiplied"
R_FROM_ZEROS = "the running product started from zeros instead of the identity"

R_FIXES = {
    R_NO_IDENTITY: "each block adds its input back (x + attention(x)), so half of what flows on is the token "
    "itself: use A + I (then renormalise the rows), as Abnar & Zuidema do.",
    R_ORDER: "layer 1 acts first, so its matrix is the rightmost one: R = A_L ... A_2 A_1. Start from the "
    "identity and multiply each new layer from the left: rollout = a @ rollout.",
    R_NOT_RENORMALISED: "after adding the identity each row sums to 2: divide every row by its sum "
    "(a.sum(dim=-1, keepdim=True)) so that it is a distribution again; otherwise the product's rows sum to 2^L.",
    R_COLUMNS: "a row holds one query's weights over the keys: divide by the sum over the last axis, "
    "sum(dim=-1, keepdim=True), not over dim=-2.",
    R_MAX: "average the heads: maps.mean(dim=2). (Taking the max is a variant some code offers, but it is not "
    "the rollout this exercise asks for.)",
    R_SUM_HEADS: "average the heads (mean over the head axis, dim=2); a sum weighs the attention heads' "
    "total against the single identity.",
    R_ELEMENTWISE: "the flow through two layers is a matrix product: a2 @ a1 (or torch.bmm / torch.matmul), "
    "not a2 * a1.",
    R_ONES: "the residual connection adds each token to itself only: add torch.eye(T) (ones on the diagonal), "
    "not torch.ones(T, T), which gives every token the same extra weight.",
    R_LAYERS_AVERAGED: "attention flows through the layers one after the other, so their matrices multiply: "
    "rollout = a @ rollout for each layer, starting from the identity; an average treats them as alternatives.",
    R_FROM_ZEROS: "start the running product from the identity (torch.eye(T), expanded over the batch): "
    "a product that starts from zeros stays zero.",
    R_LAYER_LEFT_OUT: "multiply all L layers: loop over every layer of the maps (for a in per_layer: ...), "
    "starting from the identity.",
}

ROLLOUT_ROWS = (
    (8, 4, 2, 2),
    (1, 1, 6, 8),
    (4, 4, 4, 4),
    (2, 10, 3, 1),
    (0, 5, 5, 6),
    (12, 1, 1, 2),
    (3, 3, 9, 1),
)


def table_maps() -> torch.Tensor:
    """The public table's input: 3 layers, 2 images, 2 heads, 4 tokens; every row a distribution whose
    values are multiples of 1/16 (exact in float32), picked from ROLLOUT_ROWS by a fixed rule."""
    L, B, H, T = 3, 2, 2, 4
    index = [
        [
            [
                [(3 * l + 5 * b + 2 * h + 4 * i + l * i) % len(ROLLOUT_ROWS) for i in range(T)]
                for h in range(H)
            ]
            for b in range(B)
        ]
        for l in range(L)
    ]
    return torch.tensor(ROLLOUT_ROWS, dtype=torch.float32)[torch.tensor(index)] / 16  # (L, B, nh, T, T)


# Generated by instructor.analysis.rollout_tables() (do not edit by hand: tests/test_checks_analysis.py
# compares them with the instructor's rollout): the expected (B, T, T) rollout of table_maps() and
# what each catalogued mistake makes of it, row by row.
# fmt: off
ROLLOUT_TABLE: dict[str, list[list[list[float]]]] = {
    "expected": [
        [[0.362216949463, 0.214809417725, 0.2428855896, 0.180088043213], [0.24923324585, 0.351829528809, 0.225212097168, 0.173725128174], [0.154079437256, 0.218353271484, 0.416748046875, 0.210819244385], [0.271682739258, 0.229557037354, 0.215488433838, 0.283271789551]],
        [[0.33519744873, 0.208053588867, 0.260936737061, 0.195812225342], [0.213554382324, 0.331481933594, 0.254550933838, 0.200412750244], [0.156005859375, 0.19673538208, 0.428375244141, 0.218883514404], [0.197654724121, 0.237621307373, 0.237728118896, 0.326995849609]],
    ],
    R_NO_IDENTITY: [
        [[0.263946533203, 0.264373779297, 0.255584716797, 0.216094970703], [0.264373779297, 0.256042480469, 0.271423339844, 0.208160400391], [0.265838623047, 0.262451171875, 0.2568359375, 0.214874267578], [0.266235351562, 0.255401611328, 0.269805908203, 0.208557128906]],
        [[0.260681152344, 0.222045898438, 0.294525146484, 0.222747802734], [0.265075683594, 0.22802734375, 0.286407470703, 0.220489501953], [0.2666015625, 0.225250244141, 0.288330078125, 0.219818115234], [0.266784667969, 0.223236083984, 0.290496826172, 0.219482421875]],
    ],
    R_ORDER: [
        [[0.388984680176, 0.198303222656, 0.245140075684, 0.167572021484], [0.242218017578, 0.334995269775, 0.25016784668, 0.172618865967], [0.175308227539, 0.211036682129, 0.421569824219, 0.192085266113], [0.291801452637, 0.207790374756, 0.227333068848, 0.27307510376]],
        [[0.311344146729, 0.24418258667, 0.248233795166, 0.196239471436], [0.167148590088, 0.364139556885, 0.256610870361, 0.212100982666], [0.123512268066, 0.228954315186, 0.420196533203, 0.227336883545], [0.171268463135, 0.26749420166, 0.23303604126, 0.328201293945]],
    ],
    R_NOT_RENORMALISED: [
        [[2.8977355957, 1.7184753418, 1.9430847168, 1.4407043457], [1.9938659668, 2.81463623047, 1.80169677734, 1.38980102539], [1.23263549805, 1.74682617188, 3.333984375, 1.68655395508], [2.17346191406, 1.83645629883, 1.7239074707, 2.26617431641]],
        [[2.68157958984, 1.66442871094, 2.08749389648, 1.56649780273], [1.70843505859, 2.65185546875, 2.0364074707, 1.60330200195], [1.248046875, 1.57388305664, 3.42700195312, 1.75106811523], [1.58123779297, 1.90097045898, 1.90182495117, 2.61596679688]],
    ],
    R_COLUMNS: [
        [[0.337659517122, 0.202395112405, 0.215373799666, 0.203987547473], [0.237701611865, 0.355089725106, 0.217048167308, 0.202598829042], [0.145966303216, 0.203111325721, 0.353997106864, 0.229341769822], [0.278672567797, 0.239403836767, 0.213580926162, 0.364071853663]],
        [[0.417611637197, 0.234155786955, 0.235100771252, 0.222939043011], [0.236532304655, 0.327434157355, 0.215210514962, 0.206032664992], [0.151546966566, 0.193127873228, 0.34375508082, 0.218048129901], [0.194309091583, 0.245282182462, 0.205933632966, 0.352980162096]],
    ],
    R_MAX: [
        [[0.330278746033, 0.229210906762, 0.223654339219, 0.216856007986], [0.263211590667, 0.315262963671, 0.216128154752, 0.20539729091], [0.195494395321, 0.241869286966, 0.311335759697, 0.251300558017], [0.285995206196, 0.250234647675, 0.20614181052, 0.257628335609]],
        [[0.312688400574, 0.240457083337, 0.235392765007, 0.211461751081], [0.257329880577, 0.307257712662, 0.224999248208, 0.210413158552], [0.217545984938, 0.215888174737, 0.335525179884, 0.231040660441], [0.250695643404, 0.261524423335, 0.216636723239, 0.271143210022]],
    ],
    R_SUM_HEADS: [
        [[0.287841796875, 0.240514684606, 0.267858434606, 0.203785083912], [0.274368851273, 0.288248697917, 0.246943721065, 0.190438729745], [0.19884801794, 0.244429976852, 0.332899305556, 0.223822699653], [0.275788483796, 0.254349320023, 0.246753833912, 0.223108362269]],
        [[0.264594184028, 0.223922164352, 0.292706524884, 0.218777126736], [0.24144603588, 0.259982638889, 0.279305917245, 0.219265407986], [0.198929398148, 0.217927155671, 0.351345486111, 0.231797960069], [0.225169994213, 0.242938006366, 0.273862485532, 0.258029513889]],
    ],
    R_ELEMENTWISE: [
        [[0.277954101562, 0.0013427734375, 0.00137329101562, 0.000617980957031], [0.000686645507812, 0.242767333984, 0.00144195556641, 0.000961303710938], [0.000137329101562, 0.0013427734375, 0.33814239502, 0.00216293334961], [0.00320434570312, 0.00167846679688, 0.000640869140625, 0.187454223633]],
        [[0.24299621582, 0.00167846679688, 0.00144195556641, 0.000961303710938], [0.0008544921875, 0.242111206055, 0.00205993652344, 0.00102996826172], [0.00018310546875, 0.0010986328125, 0.33814239502, 0.00240325927734], [0.000640869140625, 0.00415420532227, 0.00123596191406, 0.229911804199]],
    ],
    R_ONES: [
        [[0.258017822266, 0.250443115234, 0.250497802734, 0.241041259766], [0.258021240234, 0.250376464844, 0.250624511719, 0.240977783203], [0.258032958984, 0.250427734375, 0.2505078125, 0.241031494141], [0.258036132813, 0.250371337891, 0.250611572266, 0.240980957031]],
        [[0.263069824219, 0.245299804687, 0.250285888672, 0.241344482422], [0.263104980469, 0.24534765625, 0.250220947266, 0.241326416016], [0.2631171875, 0.245325439453, 0.250236328125, 0.241321044922], [0.263118652344, 0.245309326172, 0.250253662109, 0.241318359375]],
    ],
    R_LAYERS_AVERAGED: [
        [[0.65625, 0.119791666667, 0.130208333333, 0.09375], [0.135416666667, 0.625, 0.135416666667, 0.104166666667], [0.0520833333333, 0.119791666667, 0.697916666667, 0.130208333333], [0.192708333333, 0.125, 0.109375, 0.572916666667]],
        [[0.635416666667, 0.125, 0.135416666667, 0.104166666667], [0.114583333333, 0.625, 0.145833333333, 0.114583333333], [0.0572916666667, 0.109375, 0.697916666667, 0.135416666667], [0.109375, 0.161458333333, 0.114583333333, 0.614583333333]],
    ],
    f"{R_LAYER_LEFT_OUT} (last)": [
        [[0.519775390625, 0.211669921875, 0.147216796875, 0.121337890625], [0.1142578125, 0.4609375, 0.248046875, 0.1767578125], [0.124267578125, 0.18408203125, 0.49658203125, 0.195068359375], [0.23876953125, 0.169189453125, 0.200439453125, 0.3916015625]],
        [[0.49462890625, 0.185791015625, 0.161865234375, 0.15771484375], [0.13134765625, 0.404052734375, 0.262939453125, 0.20166015625], [0.11474609375, 0.1474609375, 0.554443359375, 0.183349609375], [0.2119140625, 0.216552734375, 0.1669921875, 0.404541015625]],
    ],
    f"{R_LAYER_LEFT_OUT} (first)": [
        [[0.428466796875, 0.1708984375, 0.246826171875, 0.15380859375], [0.257568359375, 0.452880859375, 0.14892578125, 0.140625], [0.089599609375, 0.150634765625, 0.572265625, 0.1875], [0.19482421875, 0.225341796875, 0.203369140625, 0.37646484375]],
        [[0.323974609375, 0.20703125, 0.27880859375, 0.190185546875], [0.16748046875, 0.429931640625, 0.23974609375, 0.162841796875], [0.082763671875, 0.19189453125, 0.524169921875, 0.201171875], [0.0830078125, 0.21240234375, 0.238037109375, 0.466552734375]],
    ],
}
# fmt: on


def _table(name: str) -> torch.Tensor:
    return torch.tensor(ROLLOUT_TABLE[name], dtype=torch.float64)


def _rollout_public_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    if inputs.get("table"):
        return {"rollout": _table("expected").to(inputs["maps"].dtype)}
    L, B, H, T, _ = inputs["maps"].shape  # identity maps
    eye = torch.eye(T, dtype=inputs["maps"].dtype)
    return {"rollout": eye.expand(B, T, T).clone()}


def _rollout_mistakes() -> list[Mistake]:
    def from_table(name: str):
        def produce(inputs: Inputs, _: Outcome) -> Tensors | None:
            if not inputs.get("table") or name not in ROLLOUT_TABLE:
                return None
            return {"rollout": _table(name)}

        return produce

    def grown(
        inputs: Inputs, _: Outcome
    ) -> Tensors | None:  # identity maps: I + I, L times, never renormalised
        if inputs.get("table"):
            return from_table(R_NOT_RENORMALISED)(inputs, _)
        L, B, H, T, _ = inputs["maps"].shape
        return {"rollout": (2.0**L) * torch.eye(T, dtype=torch.float64).expand(B, T, T)}

    def zeros(inputs: Inputs, outcome: Outcome) -> Tensors:
        return {"rollout": torch.zeros_like(_rollout_public_oracle(inputs, outcome)["rollout"])}

    names = (R_NO_IDENTITY, R_ORDER, R_COLUMNS, R_MAX, R_SUM_HEADS, R_ELEMENTWISE, R_ONES, R_LAYERS_AVERAGED)
    found = [Mistake(n, R_FIXES[n], from_table(n)) for n in names]
    found.append(Mistake(R_NOT_RENORMALISED, R_FIXES[R_NOT_RENORMALISED], grown))
    found += [
        Mistake(R_LAYER_LEFT_OUT, R_FIXES[R_LAYER_LEFT_OUT], from_table(f"{R_LAYER_LEFT_OUT} (last)")),
        Mistake(R_LAYER_LEFT_OUT, R_FIXES[R_LAYER_LEFT_OUT], from_table(f"{R_LAYER_LEFT_OUT} (first)")),
        Mistake(R_FROM_ZEROS, R_FIXES[R_FROM_ZEROS], zeros),
    ]
    return found


ROLLOUT_MISTAKES = _rollout_mistakes()
ROLLOUT_AXES = {"rollout": ("image", "query", "key")}
ROLLOUT_TOL = FLOAT32


def _unchanged_input(check: str, outcome: Outcome, key: str, what: str) -> Verdict | None:
    if key in outcome.tensors and not bool(outcome.tensors[key]):
        return Verdict(
            False,
            check,
            f"your function changed the {what} it was given (an in-place operation such "
            "as +=, add_ or a slice assignment on the input): work on new tensors and leave the "
            "input as it was.",
            mistake=IN_PLACE_INPUT,
        )
    return None


def _judge_rollout_values(
    check: str, inputs: Inputs, outcome: Outcome, oracle: Oracle, mistakes: Sequence[Mistake]
) -> Verdict:
    verdict = compare(check, inputs, outcome, oracle, mistakes, ROLLOUT_TOL, ROLLOUT_AXES)
    if verdict.passed:
        return _unchanged_input(check, outcome, "maps_unchanged", "maps") or verdict
    if verdict.mistake is None:
        broken = _rollout_property(inputs, outcome)
        if broken:
            problem, mistake = broken
            return Verdict(False, check, f"{problem}\n{verdict.message}", mistake=mistake)
    return verdict


def _rollout_property(inputs: Inputs, outcome: Outcome) -> tuple[str, str | None] | None:
    """The invariant the output breaks, if any (its shape, dtype, rows that do not sum to one, negative
    values), and the mistake that names it (the dtype's)."""
    got, maps = outcome.tensors["rollout"], inputs["maps"]
    L, B, H, T, _ = maps.shape
    if tuple(got.shape) != (B, T, T):
        return (
            f"the rollout should have shape (B, T, T) = {(B, T, T)} for maps of shape {tuple(maps.shape)} "
            f"(L, B, nh, T, T); yours has {tuple(got.shape)}.",
            None,
        )
    if got.dtype != maps.dtype:
        return f"the rollout should keep the maps' dtype {maps.dtype}; yours is {got.dtype}.", WRONG_DTYPE
    rows = got.double().sum(dim=-1)  # (B, T)
    if not torch.allclose(rows, torch.ones_like(rows), atol=1e-5):
        return (
            f"every row of a rollout is a distribution over the input tokens and sums to one; yours sum to "
            f"{messages.number(rows.min().item())} ... {messages.number(rows.max().item())}.",
            None,
        )
    if (got < -1e-6).any():
        return "a rollout holds no negative values (it multiplies non-negative matrices); yours does.", None
    return None


def _judge_rollout_table(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    return _judge_rollout_values(check, inputs, outcome, _rollout_public_oracle, ROLLOUT_MISTAKES)


def _judge_rollout_invariants(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    """Random maps, no expected values: the rollout's invariants, and the mistakes they reveal."""
    got, maps = outcome.tensors["rollout"], inputs["maps"]
    L, B, H, T, _ = maps.shape
    broken = _rollout_property(inputs, outcome)
    if broken is None:
        return _unchanged_input(check, outcome, "maps_unchanged", "maps") or Verdict(True, check)
    problem, mistake = broken
    if tuple(got.shape) == (B, T, T):
        rows, columns = got.double().sum(dim=-1), got.double().sum(dim=-2)  # (B, T), (B, T)
        if torch.allclose(rows, torch.full_like(rows, 2.0**L), rtol=1e-4):
            return Verdict(
                False,
                check,
                f"your rows sum to 2^L = {2**L}: "
                + messages.mistake(R_NOT_RENORMALISED, R_FIXES[R_NOT_RENORMALISED]),
                mistake=R_NOT_RENORMALISED,
            )
        if torch.allclose(columns, torch.ones_like(columns), atol=1e-5):
            return Verdict(
                False,
                check,
                "your columns sum to one, your rows do not: "
                + messages.mistake(R_COLUMNS, R_FIXES[R_COLUMNS]),
                mistake=R_COLUMNS,
            )
    return Verdict(False, check, problem, mistake=mistake)


ROLLOUT_SIZES = [  # (name, B, nh, T) with L = 3: a loop over the layers is fine, one over these is not
    ("B=1, 1 head, T=3", 1, 1, 3),
    ("B=4, 1 head, T=3", 4, 1, 3),
    ("B=1, 5 heads, T=3", 1, 5, 3),
    ("B=1, 1 head, T=9", 1, 1, 9),
]

ROLLOUT_SCRATCH = Scratch(
    (),
    calls.rollout_scratch,
    lambda: {
        "runs": [stochastic((3, B, H, T, T), seed=40 + i) for i, (_, B, H, T) in enumerate(ROLLOUT_SIZES)]
    },
    (),
    tuple(s[0] for s in ROLLOUT_SIZES),
    "the images, the heads or the tokens",
    "average the heads with one mean over dim=2, add the identity and renormalise all rows at once "
    "(broadcasting), and multiply whole (B, T, T) batches with @; a loop over the L layers is fine.",
    "vectorised (no Python loop over the images, heads or tokens; one over the layers is fine)",
)


def rollout_table_case() -> Case:
    return Case(
        "3 layers, 2 images, 2 heads, 4 tokens: values from a table",
        lambda: {"maps": table_maps(), "table": True},
        judge=_judge_rollout_table,
    )


def rollout_identity_case(
    name: str, L: int, B: int, H: int, T: int, dtype: torch.dtype = torch.float32
) -> Case:
    def make() -> Inputs:
        eye = torch.eye(T, dtype=dtype)
        return {"maps": eye.expand(L, B, H, T, T).clone(), "table": False}

    return Case(name, make, judge=_judge_rollout_table)


def rollout_invariants_case(
    name: str, L: int, B: int, H: int, T: int, seed: int, dtype: torch.dtype = torch.float32
) -> Case:
    return Case(
        name,
        lambda: {"maps": stochastic((L, B, H, T, T), seed, dtype), "table": False},
        judge=_judge_rollout_invariants,
    )


ATTENTION_ROLLOUT = Exercise(
    "test_attention_rollout",
    "attention_rollout",
    ("attention_rollout",),
    calls.attention_rollout,
    _rollout_public_oracle,
    ROLLOUT_MISTAKES,
    ROLLOUT_TOL,
    public=[
        rollout_table_case(),
        rollout_identity_case(
            "an identity-only model (every map the identity) rolls out to the identity", 4, 2, 3, 5
        ),
        rollout_invariants_case(
            "random maps (4 layers, 2 images, 3 heads, 6 tokens): rows sum to one", 4, 2, 3, 6, seed=30
        ),
    ],
    scratch=ROLLOUT_SCRATCH,
)


# ==================================================================================================
# Exercise 3: mean_attention_distance(maps, grid, patch_size) -> (L, nh)

D_PATCHES = "distances measured in patches, not in pixels"
D_MANHATTAN = "the Manhattan distance |dr| + |dc| instead of the straight-line distance"
D_SQUARED = "squared distances (the square root was left out)"
D_NOT_RENORMALISED = "the class token's column was dropped without renormalising the rows"
D_MEAN_OVER_KEYS = "the mean over the keys instead of the attention-weighted sum"

D_FIXES = {
    D_PATCHES: "multiply the grid distance by the patch side P: the paper (Figure 7) plots pixels.",
    D_MANHATTAN: "patch centres (r, c) and (r', c') are P * sqrt((r - r')^2 + (c - c')^2) pixels apart "
    "(torch.cdist on the (N, 2) centres, or a square root of the summed squares).",
    D_SQUARED: "take the square root: the distance is P * sqrt((r - r')^2 + (c - c')^2).",
    D_NOT_RENORMALISED: "once the class token is dropped, a query's weights over the N patches sum to less "
    "than one: divide each row by its sum so that the weighted sum is a weighted mean.",
    D_MEAN_OVER_KEYS: "weight each key's distance by the attention it gets and add them up: "
    "(weights * distance).sum(dim=-1) (the weights already sum to one), not .mean(dim=-1).",
}
DISTANCE_AXES = {"distances": ("layer", "head")}


def shifted_maps(
    h: int,
    w: int,
    offsets: Sequence[Sequence[tuple[int, int]]],
    batch: int,
    self_weight: float,
    class_weight: float,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Hand-built maps (L, B, nh, T, T): in layer l, head k, every patch query sends ``class_weight`` of its
    attention to the class token, ``self_weight`` of the rest to itself and the remainder to the patch
    ``offsets[l][k] = (dr, dc)`` rows and columns away (to itself when that patch is off the grid). The
    class token's own row attends uniformly."""
    N, L, H = h * w, len(offsets), len(offsets[0])
    T = N + 1
    rows, cols = torch.arange(N) // w, torch.arange(N) % w  # (N,), (N,)
    patches = torch.arange(N)
    maps = torch.zeros(L, H, T, T, dtype=torch.float64)
    maps[:, :, 0, :] = 1.0 / T
    maps[:, :, 1:, 0] = class_weight
    for layer, row in enumerate(offsets):
        for head, (dr, dc) in enumerate(row):
            r, c = rows + dr, cols + dc
            inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
            target = torch.where(inside, r * w + c, patches)
            maps[layer, head, 1 + patches, 1 + patches] += (1 - class_weight) * self_weight
            maps[layer, head, 1 + patches, 1 + target] += (1 - class_weight) * (1 - self_weight)
    return maps[:, None].expand(L, batch, H, T, T).to(dtype).clone()


def known_distances(inputs: Inputs, metric: Callable[[int, int], float] | None = None) -> torch.Tensor:
    """The mean distance of shifted_maps per (layer, head), by construction: (1 - self_weight) * P *
    |(dr, dc)| * (the fraction of queries whose target patch lies on the grid)."""
    (h, w), P, s = inputs["grid"], inputs["patch_size"], inputs["self_weight"]
    metric = metric or (lambda dr, dc: math.hypot(dr, dc))
    values = [
        [(1 - s) * P * metric(dr, dc) * max(h - abs(dr), 0) * max(w - abs(dc), 0) / (h * w) for dr, dc in row]
        for row in inputs["offsets"]
    ]
    return torch.tensor(values, dtype=torch.float64).to(inputs["maps"].dtype)  # (L, nh)


def _distance_public_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"distances": known_distances(inputs)}


def _distance_mistakes() -> list[Mistake]:
    def built(change: Callable[[Inputs], torch.Tensor]):
        def produce(inputs: Inputs, _: Outcome) -> Tensors | None:
            return {"distances": change(inputs)} if "offsets" in inputs else None

        return produce

    def N(inputs: Inputs) -> int:
        return inputs["grid"][0] * inputs["grid"][1]

    return [
        Mistake(D_PATCHES, D_FIXES[D_PATCHES], built(lambda i: known_distances(i) / i["patch_size"])),
        Mistake(
            D_MANHATTAN,
            D_FIXES[D_MANHATTAN],
            built(lambda i: known_distances(i, lambda a, b: abs(a) + abs(b))),
        ),
        Mistake(
            D_SQUARED,
            D_FIXES[D_SQUARED],
            built(lambda i: known_distances(i, lambda a, b: i["patch_size"] * (a * a + b * b))),
        ),
        Mistake(
            D_NOT_RENORMALISED,
            D_FIXES[D_NOT_RENORMALISED],
            built(lambda i: known_distances(i) * (1 - i["class_weight"])),
        ),
        Mistake(D_MEAN_OVER_KEYS, D_FIXES[D_MEAN_OVER_KEYS], built(lambda i: known_distances(i) / N(i))),
    ]


DISTANCE_MISTAKES = _distance_mistakes()
DISTANCE_TOL = Tolerance(1e-5, 1e-5)


def _explain_shift(inputs: Inputs, outcome: Outcome) -> str | None:
    """For the first wrong (layer, head) of a hand-built case: what its maps do and what that gives."""
    got, expected = outcome.tensors["distances"], known_distances(inputs)
    if got.shape != expected.shape:
        L, H = expected.shape
        return (
            f"the distances should have shape (L, nh) = {(L, H)} (one number per layer and head, averaged "
            f"over the images and the queries); yours have {tuple(got.shape)}."
        )
    bad = ~torch.isclose(got.double(), expected.double(), rtol=DISTANCE_TOL.rtol, atol=DISTANCE_TOL.atol)
    if not bad.any():
        return None
    layer, head = (int(i) for i in bad.nonzero()[0])
    (h, w), P, s, cw = inputs["grid"], inputs["patch_size"], inputs["self_weight"], inputs["class_weight"]
    dr, dc = inputs["offsets"][layer][head]
    inside = max(h - abs(dr), 0) * max(w - abs(dc), 0)
    step = P * math.hypot(dr, dc)
    return (
        f"in layer {layer}, head {head} of these hand-built maps every patch query gives {cw:g} of its attention "
        f"to the class token, and of the rest {1 - s:g} to the patch {dr} rows and {dc} columns away "
        f"({messages.number(step)} px between the centres with P = {P}) and {s:g} to itself; {inside} of the "
        f"{h * w} queries have such a patch on the {h}x{w} grid (the others attend only to themselves). The mean "
        f"distance is therefore {messages.number(float(expected[layer, head]))} px; yours is "
        f"{messages.number(float(got[layer, head]))}."
    )


def _judge_distances(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    verdict = compare(
        check, inputs, outcome, _distance_public_oracle, DISTANCE_MISTAKES, DISTANCE_TOL, DISTANCE_AXES
    )
    if verdict.passed:
        return _unchanged_input(check, outcome, "maps_unchanged", "maps") or verdict
    if verdict.mistake is None:
        why = _explain_shift(inputs, outcome)
        if why:
            return Verdict(False, check, f"{why}\n{verdict.message}")
    return verdict


def distance_case(
    name: str,
    grid: tuple[int, int],
    patch_size: int,
    offsets: Sequence[Sequence[tuple[int, int]]],
    batch: int,
    self_weight: float,
    class_weight: float,
    dtype: torch.dtype = torch.float32,
) -> Case:
    def make() -> Inputs:
        maps = shifted_maps(*grid, offsets, batch, self_weight, class_weight, dtype)
        return {
            "maps": maps,
            "grid": tuple(grid),
            "patch_size": patch_size,
            "offsets": [list(r) for r in offsets],
            "self_weight": self_weight,
            "class_weight": class_weight,
        }

    return Case(name, make, judge=_judge_distances)


DISTANCE_SIZES = [  # (name, B, nh, h, w) with L = 2
    ("B=1, 1 head, 2x2 grid", 1, 1, 2, 2),
    ("B=3, 1 head, 2x2 grid", 3, 1, 2, 2),
    ("B=1, 4 heads, 2x2 grid", 1, 4, 2, 2),
    ("B=1, 1 head, 3x4 grid", 1, 1, 3, 4),
]

DISTANCE_SCRATCH = Scratch(
    (),
    calls.distance_scratch,
    lambda: {
        "runs": [
            (stochastic((2, B, H, 1 + h * w, 1 + h * w), seed=50 + i), (h, w), 4)
            for i, (_, B, H, h, w) in enumerate(DISTANCE_SIZES)
        ]
    },
    (),
    tuple(s[0] for s in DISTANCE_SIZES),
    "the images, the heads, the layers or the patches",
    "build the (N, N) table of distances between patch centres once (broadcasting or torch.cdist), then "
    "weight, sum and average whole tensors.",
    VECTORISED,
)

MEAN_ATTENTION_DISTANCE = Exercise(
    "test_mean_attention_distance",
    "mean_attention_distance",
    ("mean_attention_distance",),
    calls.mean_attention_distance,
    _distance_public_oracle,
    DISTANCE_MISTAKES,
    DISTANCE_TOL,
    public=[
        distance_case(
            "hand-built maps, 4x4 grid of 4-pixel patches, 2 layers x 3 heads, each head a fixed step",
            (4, 4),
            4,
            [[(0, 0), (0, 1), (1, 1)], [(2, -1), (0, 3), (-3, -2)]],
            batch=2,
            self_weight=0.25,
            class_weight=0.2,
        ),
        distance_case(
            "hand-built maps, 3x5 grid of 7-pixel patches, float64, 1 layer x 2 heads",
            (3, 5),
            7,
            [[(1, 2), (0, -4)]],
            batch=1,
            self_weight=0.0,
            class_weight=0.5,
            dtype=torch.float64,
        ),
    ],
    scratch=DISTANCE_SCRATCH,
)


# ==================================================================================================
# Exercise 4: resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True) -> (1, [1 +] h' w', D)

Z_CLASS_DROPPED = "the class token's row was dropped"
Z_CLASS_LAST = "the class token's row was moved to the end"
Z_RESHAPE = (
    "a reshape where a permute was needed: (1, N, D) and (1, D, h, w) hold the values in different orders"
)
Z_BILINEAR = "bilinear interpolation instead of bicubic"
Z_ALIGN = "align_corners=True (torchvision's interpolate_embeddings) instead of F.interpolate's default"
Z_SWAPPED = "the grid's height and width are swapped in a reshape or in the new size"
Z_ONE_D = "the positions were interpolated as a 1-D sequence, not as a 2-D grid"
Z_NEAREST = "nearest-neighbour interpolation instead of bicubic"
Z_ANTIALIAS = "antialias=True (a blur when the grid shrinks)"
Z_IMAGE = "the resized grid returned as an image (1, D, h', w'), not as rows of tokens"
Z_FLAG = "the grid taken from the wrong rows: the class_token flag was not followed"

Z_FIXES = {
    Z_CLASS_DROPPED: "keep the first row (the class token has no place on the grid): split it off, resize the "
    "rest and put it back in front with torch.cat([cls, grid_rows], dim=1).",
    Z_CLASS_LAST: "the class token stays first: torch.cat([cls, grid_rows], dim=1).",
    Z_RESHAPE: "row n = r * w + c of the embedding is the patch at (r, c): reshape to (1, h, w, D) and permute "
    "to (1, D, h, w) for F.interpolate, and on the way back flatten to (1, D, h' w') and transpose to "
    "(1, h' w', D). A reshape alone to (1, D, h, w) scrambles the values.",
    Z_BILINEAR: "use mode='bicubic', as the ViT and DeiT code does for positional embeddings.",
    Z_ALIGN: "leave align_corners=False (F.interpolate's default): it treats each patch as a cell whose centre "
    "is at i + 0.5, so the new grid covers the same image area, which is exactly right for an image that is "
    "upsampled. align_corners=True pins the centres of the corner patches instead and shifts the others.",
    Z_SWAPPED: "grids are (h, w) = (rows, columns), as images are (H, W): reshape to (1, h, w, D) and pass "
    "size=(h', w') = new_grid to F.interpolate.",
    Z_NEAREST: "use mode='bicubic': nearest-neighbour copies each old position onto a block of new ones, so "
    "neighbouring patches share one position and the model cannot tell them apart.",
    Z_ANTIALIAS: "leave antialias=False (F.interpolate's default), as the ViT and DeiT code does: "
    "anti-aliasing low-pass filters the embedding before shrinking it, which blurs neighbouring positions "
    "together.",
    Z_IMAGE: "turn the resized (1, D, h', w') grid back into rows, grid.flatten(2).transpose(1, 2) -> "
    "(1, h' w', D), and put the class token's row back in front.",
    Z_FLAG: "the class token's row (the first) is not on the grid: with class_token=True reshape only "
    "pos_embed[:, 1:] into (1, h, w, D) and put row 0 back in front; with class_token=False every row is a "
    "patch, so the whole pos_embed is the grid.",
    Z_ONE_D: "the embedding rows are a 2-D grid of patches: reshape them to (1, D, h, w) (through a permute) and "
    "interpolate in 2-D, so that neighbours above and below count as much as left and right.",
}
RESIZE_AXES = {"pos_embed": ("batch", "row", "channel")}


def _resize_parts(inputs: Inputs) -> tuple[torch.Tensor, torch.Tensor]:
    """(class-token rows (1, 0 or 1, D), patch rows (1, N, D)) of the input."""
    pos = inputs["pos_embed"]
    start = 0 if inputs["class_token"] is False else 1
    return pos[:, :start], pos[:, start:]


def _grid_image(rows: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """(1, h * w, D) rows -> (1, D, h, w) for F.interpolate."""
    return rows.reshape(1, h, w, -1).permute(0, 3, 1, 2)


def resized(
    inputs: Inputs,
    mode: str = "bicubic",
    align_corners: bool = False,
    swap: bool = False,
    class_at: str = "front",
    antialias: bool = False,
) -> torch.Tensor:
    """F.interpolate on the grid of patch rows, and the class-token row put back (or not)."""
    (h, w), (h2, w2) = inputs["old_grid"], inputs["new_grid"]
    if swap:
        (h, w), (h2, w2) = (w, h), (w2, h2)
    cls, rows = _resize_parts(inputs)
    corners = None if mode == "nearest" else align_corners
    grid = F.interpolate(
        _grid_image(rows, h, w), size=(h2, w2), mode=mode, align_corners=corners, antialias=antialias
    )
    new_rows = grid.flatten(2).transpose(1, 2)  # (1, h' w', D)
    parts = {"front": [cls, new_rows], "end": [new_rows, cls], "none": [new_rows]}[class_at]
    return torch.cat(parts, dim=1)


def _resize_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"pos_embed": resized(inputs)}


def _resize_mistakes() -> list[Mistake]:
    def with_class(inputs: Inputs) -> bool:
        return inputs["class_token"] is not False

    def reshaped(forward: bool, backward: bool):
        def produce(inputs: Inputs, _: Outcome) -> Tensors:
            (h, w), (h2, w2) = inputs["old_grid"], inputs["new_grid"]
            cls, rows = _resize_parts(inputs)
            D = rows.shape[-1]
            image = rows.reshape(1, D, h, w) if forward else _grid_image(rows, h, w)
            grid = F.interpolate(image, size=(h2, w2), mode="bicubic", align_corners=False)
            back = grid.reshape(1, h2 * w2, D) if backward else grid.flatten(2).transpose(1, 2)
            return {"pos_embed": torch.cat([cls, back], dim=1)}

        return produce

    def one_d(inputs: Inputs, _: Outcome) -> Tensors:
        (h2, w2), (cls, rows) = inputs["new_grid"], _resize_parts(inputs)
        line = F.interpolate(rows.transpose(1, 2), size=h2 * w2, mode="linear", align_corners=False)
        return {"pos_embed": torch.cat([cls, line.transpose(1, 2)], dim=1)}

    def image(inputs: Inputs, _: Outcome) -> Tensors:
        (h, w), patch_rows = inputs["old_grid"], _resize_parts(inputs)[1]
        grid = F.interpolate(_grid_image(patch_rows, h, w), size=inputs["new_grid"], mode="bicubic")
        return {"pos_embed": grid}  # (1, D, h', w')

    def only(condition: Callable[[Inputs], bool], produce: Callable[[Inputs], torch.Tensor]):
        return lambda i, o: {"pos_embed": produce(i)} if condition(i) else None

    return [
        Mistake(
            Z_CLASS_DROPPED, Z_FIXES[Z_CLASS_DROPPED], only(with_class, lambda i: resized(i, class_at="none"))
        ),
        Mistake(Z_CLASS_LAST, Z_FIXES[Z_CLASS_LAST], only(with_class, lambda i: resized(i, class_at="end"))),
        Mistake(Z_RESHAPE, Z_FIXES[Z_RESHAPE], reshaped(True, True)),
        Mistake(Z_RESHAPE, Z_FIXES[Z_RESHAPE], reshaped(True, False)),
        Mistake(Z_RESHAPE, Z_FIXES[Z_RESHAPE], reshaped(False, True)),
        Mistake(Z_BILINEAR, Z_FIXES[Z_BILINEAR], lambda i, o: {"pos_embed": resized(i, mode="bilinear")}),
        Mistake(Z_ALIGN, Z_FIXES[Z_ALIGN], lambda i, o: {"pos_embed": resized(i, align_corners=True)}),
        Mistake(Z_SWAPPED, Z_FIXES[Z_SWAPPED], lambda i, o: {"pos_embed": resized(i, swap=True)}),
        Mistake(Z_ONE_D, Z_FIXES[Z_ONE_D], one_d),
        Mistake(Z_NEAREST, Z_FIXES[Z_NEAREST], lambda i, o: {"pos_embed": resized(i, mode="nearest")}),
        Mistake(Z_ANTIALIAS, Z_FIXES[Z_ANTIALIAS], lambda i, o: {"pos_embed": resized(i, antialias=True)}),
        Mistake(Z_IMAGE, Z_FIXES[Z_IMAGE], image),
    ]


RESIZE_MISTAKES = _resize_mistakes()


def _judge_resize(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    verdict = compare(check, inputs, outcome, _resize_oracle, RESIZE_MISTAKES, FLOAT32, RESIZE_AXES)
    if verdict.passed:
        return _unchanged_input(check, outcome, "input_unchanged", "embedding") or verdict
    if verdict.mistake is None:
        expected, got = _resize_oracle(inputs, outcome)["pos_embed"], outcome.tensors["pos_embed"]
        (h2, w2), D = inputs["new_grid"], expected.shape[-1]
        if got.shape != expected.shape:
            extra = "1 + " if inputs["class_token"] is not False else ""
            return Verdict(
                False,
                check,
                f"the resized embedding should have shape (1, {extra}h' w', D) = "
                f"{tuple(expected.shape)} for a new grid of {h2}x{w2} and D = {D}; yours has "
                f"{tuple(got.shape)}.\n{verdict.message}",
            )
        if inputs["class_token"] is not False and not torch.equal(
            got[:, 0], inputs["pos_embed"][:, 0].to(got.dtype)
        ):
            return Verdict(
                False,
                check,
                "the first row (the class token's) must come back unchanged; yours differs.\n"
                + verdict.message,
            )
        if inputs["old_grid"] == inputs["new_grid"]:
            return Verdict(
                False,
                check,
                "at the same grid size the embedding must come back exactly as it was.\n" + verdict.message,
            )
    return verdict


def _explain_resize_error(
    old: tuple[int, int], D: int, class_token: bool | None
) -> Callable[[Outcome], tuple[str, str] | None]:
    """A reshape into the (h, w) grid that fails because it got the class token's row, or lost a patch's."""
    wrong_rows = old[0] * old[1] + (1 if class_token is not False else -1)

    def explain(outcome: Outcome) -> tuple[str, str] | None:
        found = re.search(r"is invalid for input of size (\d+)", outcome.error_message)
        if found and int(found.group(1)) == wrong_rows * D:
            return Z_FLAG, Z_FIXES[Z_FLAG]
        return None

    return explain


def ramp(h: int, w: int, D: int, seed: int, class_token: bool = True) -> torch.Tensor:
    """A positional embedding (1, [1 +] h w, D) whose channel 0 is the patch's row, channel 1 its column,
    channel 2 their sum, and the others random: a misplaced or mixed row shows in the first three."""
    rows, cols = torch.arange(h).repeat_interleave(w).float(), torch.arange(w).repeat(h).float()  # (N,), (N,)
    values = torch.randn(h * w, D, generator=seeded(seed))
    values[:, 0], values[:, 1], values[:, 2] = rows, cols, rows + cols
    cls = torch.full((1, D), -1.0) if class_token else torch.zeros(0, D)
    return torch.cat([cls, values])[None]  # (1, [1 +] N, D)


def resize_case(
    name: str,
    old: tuple[int, int],
    new: tuple[int, int],
    D: int,
    seed: int,
    class_token: bool | None = True,
    dtype: torch.dtype = torch.float32,
    linear: bool = True,
) -> Case:
    def make() -> Inputs:
        has_class = class_token is not False
        if linear:
            pos = ramp(*old, D, seed, has_class)
        else:
            pos = torch.randn(1, int(has_class) + old[0] * old[1], D, generator=seeded(seed))
        return {
            "pos_embed": pos.to(dtype),
            "old_grid": tuple(old),
            "new_grid": tuple(new),
            "class_token": class_token,
        }

    return Case(name, make, judge=_judge_resize, explain_error=_explain_resize_error(old, D, class_token))


RESIZE_POS_EMBED = Exercise(
    "test_resize_pos_embed",
    "resize_pos_embed",
    ("resize_pos_embed",),
    calls.resize_pos_embed,
    _resize_oracle,
    RESIZE_MISTAKES,
    FLOAT32,
    public=[
        resize_case(
            "a linear ramp (channel 0 = row, 1 = column) on a 4x4 grid resized to 6x6, class token "
            "first, D=5",
            (4, 4),
            (6, 6),
            5,
            seed=60,
        ),
        resize_case(
            "random embedding on a 3x5 grid resized to 6x10, D=6", (3, 5), (6, 10), 6, seed=61, linear=False
        ),
        resize_case("the same size (4x4 to 4x4) gives back the input exactly", (4, 4), (4, 4), 5, seed=62),
        resize_case("a ramp on a 6x6 grid shrunk to 4x4, D=4", (6, 6), (4, 4), 4, seed=64),
        resize_case(
            "no class token (class_token=False): a ramp on a 2x3 grid resized to 4x6",
            (2, 3),
            (4, 6),
            4,
            seed=63,
            class_token=False,
        ),
    ],
    structural=[Z_FLAG],
)

EXERCISES = [ATTENTION_MAPS, ATTENTION_ROLLOUT, MEAN_ATTENTION_DISTANCE, RESIZE_POS_EMBED]
