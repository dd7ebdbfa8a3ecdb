"""Hidden cases and instructor-only oracles for notebook 8 (analysis).

The attention rollout and the mean attention distance *are* this notebook's answers, so their
formulas live here, never in ``vitlab/``: :func:`rollout` and :func:`mean_distance` (with the
catalogued mistakes written as the same formulas, changed), used by the hidden cases on random maps.
:func:`rollout_tables` regenerates the literal table of the public rollout check
(``vitlab.checks.analysis.ROLLOUT_TABLE``); tests/test_checks_analysis.py keeps the two equal.

Letters: L layers, B batch, nh heads, T = 1 + N tokens, h x w the patch grid, P the patch side.
"""

from __future__ import annotations

import torch

from vitlab.checks import analysis as public
from vitlab.checks.core import Case, Inputs, Mistake, Outcome, Tensors, Verdict, compare

# --------------------------------------------------------------------------------------------------
# Attention rollout


def rollout(
    maps: torch.Tensor,
    fuse: str = "mean",
    identity: bool | str = True,
    normalise: int | None = -1,
    order: str = "left",
    combine: str = "matmul",
    layers: slice = slice(None),
) -> torch.Tensor:
    """Abnar & Zuidema's rollout of (L, B, nh, T, T) maps -> (B, T, T), and its typical variants:
    ``fuse`` the heads by mean/max/sum, add the ``identity`` (or not, or ``"ones"``: a matrix of ones),
    renormalise rows (-1), columns (-2) or nothing (None), multiply new layers from the ``left`` or the
    ``right``, by ``matmul`` or element-wise, or average them (``"mean"``)."""
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    fused = {"mean": maps.mean(dim=2), "max": maps.amax(dim=2), "sum": maps.sum(dim=2)}[fuse]  # (L, B, T, T)
    added = {True: eye, False: torch.zeros_like(eye), "ones": torch.ones_like(eye)}[identity]
    a = fused + added
    if normalise is not None:
        a = a / a.sum(dim=normalise, keepdim=True)
    a = a[layers]
    if combine == "elementwise":
        return a.prod(dim=0)
    if combine == "mean":
        return a.mean(dim=0)
    result = eye.expand(B, T, T)
    for layer in a:  # (B, T, T)
        result = layer @ result if order == "left" else result @ layer
    return result


ROLLOUT_VARIANTS = {
    public.R_NO_IDENTITY: {"identity": False},
    public.R_ORDER: {"order": "right"},
    public.R_NOT_RENORMALISED: {"normalise": None},
    public.R_COLUMNS: {"normalise": -2},
    public.R_MAX: {"fuse": "max"},
    public.R_SUM_HEADS: {"fuse": "sum"},
    public.R_ELEMENTWISE: {"combine": "elementwise"},
    public.R_ONES: {"identity": "ones"},
    public.R_LAYERS_AVERAGED: {"combine": "mean"},
    f"{public.R_LAYER_LEFT_OUT} (last)": {"layers": slice(None, -1)},
    f"{public.R_LAYER_LEFT_OUT} (first)": {"layers": slice(1, None)},
}


def rollout_tables(digits: int = 12) -> dict[str, list]:
    """The literal table of the public check: the rollout of ``public.table_maps()`` and of each variant."""
    maps = public.table_maps().double()

    def rounded(t: torch.Tensor) -> list:
        return [[[float(f"{v:.{digits}g}") for v in row] for row in image] for image in t.tolist()]

    tables = {"expected": rounded(rollout(maps))}
    tables.update({name: rounded(rollout(maps, **kw)) for name, kw in ROLLOUT_VARIANTS.items()})
    return tables


def _rollout_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"rollout": rollout(inputs["maps"])}


def _rollout_variant(name: str, **kwargs) -> Mistake:
    base = public.R_LAYER_LEFT_OUT if name.startswith(public.R_LAYER_LEFT_OUT) else name
    return Mistake(base, public.R_FIXES[base], lambda i, o: {"rollout": rollout(i["maps"], **kwargs)})


ROLLOUT_FORMULAS = [_rollout_variant(name, **kw) for name, kw in ROLLOUT_VARIANTS.items()]


def _judge_rollout(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    return public._judge_rollout_values(
        check, inputs, outcome, _rollout_oracle, [*public.ROLLOUT_MISTAKES, *ROLLOUT_FORMULAS]
    )


def rollout_case(
    name: str,
    L: int,
    B: int,
    H: int,
    T: int,
    seed: int,
    dtype: torch.dtype = torch.float32,
    sharp: float = 2.0,
) -> Case:
    return Case(
        name,
        lambda: {"maps": public.stochastic((L, B, H, T, T), seed, dtype, sharp), "table": False},
        judge=_judge_rollout,
    )


def _class_token_maps() -> Inputs:
    """Every query attends to the class token only (a model that copies one token everywhere)."""
    maps = torch.zeros(3, 2, 2, 5, 5)
    maps[..., 0] = 1.0
    return {"maps": maps, "table": False}


# --------------------------------------------------------------------------------------------------
# Mean attention distance


def mean_distance(
    maps: torch.Tensor,
    grid: tuple[int, int],
    patch_size: int,
    metric: str = "euclidean",
    renormalise: int | None = -1,
    reduce_keys: str = "sum",
    unit: str = "pixels",
    drop: str = "first",
    reduce_queries: str = "mean",
) -> torch.Tensor:
    """(L, B, nh, 1 + N, 1 + N) maps -> (L, nh): the attention-weighted distance between the centres of the
    query's and the key's patches, the class token dropped (rows renormalised), averaged over queries and
    images; and the typical variants: rows renormalised over the keys (-1), the queries (-2) or not at all
    (None), the ``first`` (class) or the ``last`` token dropped, the queries averaged or summed."""
    h, w = grid
    weights = maps[..., 1:, 1:] if drop == "first" else maps[..., :-1, :-1]  # (L, B, nh, N, N)
    if renormalise is not None:
        weights = weights / weights.sum(dim=renormalise, keepdim=True)
    index = torch.arange(h * w, device=maps.device)
    centres = torch.stack([index // w, index % w], dim=-1).to(maps.dtype)  # (N, 2): (row, column)
    offsets = (centres[:, None] - centres[None]).abs()  # (N, N, 2)
    distance = {
        "euclidean": offsets.pow(2).sum(-1).sqrt(),
        "manhattan": offsets.sum(-1),
        "squared": offsets.pow(2).sum(-1),
    }[metric]  # (N, N)
    if unit == "pixels":
        distance = distance * patch_size * (patch_size if metric == "squared" else 1)
    weighted = weights * distance
    per_query = weighted.sum(dim=-1) if reduce_keys == "sum" else weighted.mean(dim=-1)  # (L, B, nh, N)
    if reduce_queries == "sum":
        return per_query.sum(dim=3).mean(dim=1)  # (L, nh)
    return per_query.mean(dim=(1, 3))  # (L, nh)


def _distance_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"distances": mean_distance(inputs["maps"], inputs["grid"], inputs["patch_size"])}


DISTANCE_VARIANTS = {
    public.D_PATCHES: {"unit": "patches"},
    public.D_MANHATTAN: {"metric": "manhattan"},
    public.D_SQUARED: {"metric": "squared"},
    public.D_NOT_RENORMALISED: {"renormalise": None},
    public.D_MEAN_OVER_KEYS: {"reduce_keys": "mean"},
}
DISTANCE_FORMULAS = [
    Mistake(
        name,
        public.D_FIXES[name],
        lambda i, o, kw=kw: {"distances": mean_distance(i["maps"], i["grid"], i["patch_size"], **kw)},
    )
    for name, kw in DISTANCE_VARIANTS.items()
]
#: hidden-only diagnoses (random maps): named on the hidden cases, not catalogued
DISTANCE_SLIPS = [
    Mistake(
        "the last token's row and column were dropped instead of the class token's (the first)",
        "the class token is token 0: keep maps[..., 1:, 1:], the patch-to-patch part.",
        lambda i, o: {"distances": mean_distance(i["maps"], i["grid"], i["patch_size"], drop="last")},
        catalogued=False,
    ),
    Mistake(
        "the columns (dim=-2) were renormalised instead of the rows",
        "each row is one query's weights over the keys: divide by weights.sum(dim=-1, keepdim=True).",
        lambda i, o: {"distances": mean_distance(i["maps"], i["grid"], i["patch_size"], renormalise=-2)},
        catalogued=False,
    ),
    Mistake(
        "the queries' distances were summed instead of averaged",
        "the distance of a head is the mean over the images and the query patches: .mean(...) over both.",
        lambda i, o: {
            "distances": mean_distance(i["maps"], i["grid"], i["patch_size"], reduce_queries="sum")
        },
        catalogued=False,
    ),
]
GRID_SWAPPED = Mistake(
    "the patch coordinates were computed with the grid's height where its width belongs",
    "patch n sits in row n // w and column n % w, w being the number of columns (grid = (h, w)).",
    lambda i, o: {"distances": mean_distance(i["maps"], tuple(reversed(i["grid"])), i["patch_size"])},
    catalogued=False,
)


def _judge_distance(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    verdict = compare(
        check,
        inputs,
        outcome,
        _distance_oracle,
        [*DISTANCE_FORMULAS, GRID_SWAPPED, *DISTANCE_SLIPS],
        public.DISTANCE_TOL,
        public.DISTANCE_AXES,
    )
    if verdict.passed:
        return public._unchanged_input(check, outcome, "maps_unchanged", "maps") or verdict
    got, (L, _, H) = outcome.tensors["distances"], inputs["maps"].shape[:3]
    if verdict.mistake is None and tuple(got.shape) != (L, H):
        return Verdict(
            False,
            check,
            f"the distances should have shape (L, nh) = {(L, H)}; yours have "
            f"{tuple(got.shape)}.\n{verdict.message}",
        )
    return verdict


def distance_case(
    name: str,
    L: int,
    B: int,
    H: int,
    grid: tuple[int, int],
    patch_size: int,
    seed: int,
    dtype: torch.dtype = torch.float32,
) -> Case:
    def make() -> Inputs:
        T = 1 + grid[0] * grid[1]
        return {
            "maps": public.stochastic((L, B, H, T, T), seed, dtype),
            "grid": grid,
            "patch_size": patch_size,
        }

    return Case(name, make, judge=_judge_distance)


# --------------------------------------------------------------------------------------------------
# The hidden cases

HIDDEN = {
    "test_attention_maps": [
        public.maps_case(
            "one block, one head, 16x16 images in 4x4 patches, given in training mode without PatchDropout",
            {"image_size": 16, "patch_size": 4, "dim": 8, "depth": 1, "heads": 1},
            batch=2,
            training=True,
            seed=100,
        ),
        public.maps_case(
            "float64 model and images, 3 heads",
            {"image_size": 12, "patch_size": 4, "dim": 12, "depth": 2, "heads": 3},
            batch=2,
            training=False,
            seed=110,
            float64=True,
        ),
        public.maps_case(
            "a single image, 4 blocks, 4x4 patches, given in training mode (PatchDropout keeps 30%)",
            {
                "image_size": 16,
                "patch_size": 4,
                "dim": 16,
                "depth": 4,
                "heads": 4,
                "pool": "mean",
                "token_keep": 0.3,
            },
            batch=1,
            training=True,
            seed=120,
        ),
        public.maps_case(
            "5 heads of width 4, 20x20 images in patches of 5",
            {"image_size": 20, "patch_size": 5, "dim": 20, "depth": 2, "heads": 5},
            batch=3,
            training=False,
            seed=130,
        ),
    ],
    "test_attention_rollout": [
        rollout_case("one layer", 1, 2, 3, 5, seed=200),
        rollout_case(
            "6 layers, 4 heads, 50 tokens (the course model's size), 2 images", 6, 2, 4, 50, seed=201
        ),
        rollout_case("float64 maps keep their dtype", 3, 2, 2, 7, seed=202, dtype=torch.float64),
        rollout_case("sharply peaked maps (almost one key per query)", 4, 1, 2, 6, seed=203, sharp=8.0),
        public.rollout_identity_case(
            "an identity-only model of 6 layers, float64", 6, 1, 4, 10, torch.float64
        ),
        Case("every query attends to the class token only", _class_token_maps, judge=_judge_rollout),
        public.rollout_invariants_case(
            "random maps, 8 layers, 1 head, 17 tokens: rows sum to one", 8, 3, 1, 17, seed=204
        ),
    ],
    "test_mean_attention_distance": [
        distance_case(
            "random maps on the course's 7x7 grid of 4-pixel patches, 3 layers x 4 heads",
            3,
            2,
            4,
            (7, 7),
            4,
            seed=300,
        ),
        distance_case(
            "random maps on a 2x6 grid of 3-pixel patches, float64",
            2,
            3,
            2,
            (2, 6),
            3,
            seed=301,
            dtype=torch.float64,
        ),
        distance_case("a single patch: every distance is 0", 2, 2, 3, (1, 1), 4, seed=302),
        distance_case("a 5x2 grid (taller than wide) of 8-pixel patches", 1, 2, 3, (5, 2), 8, seed=303),
        public.distance_case(
            "hand-built maps: 90% of the attention on the class token, 6x6 grid",
            (6, 6),
            2,
            [[(5, 5), (-1, 4)]],
            batch=3,
            self_weight=0.5,
            class_weight=0.9,
        ),
    ],
    "test_resize_pos_embed": [
        public.resize_case(
            "the course's 7x7 grid to 14x14, D=64 (random)", (7, 7), (14, 14), 64, seed=400, linear=False
        ),
        public.resize_case("a ramp on a 6x6 grid shrunk to 3x3", (6, 6), (3, 3), 4, seed=401),
        public.resize_case(
            "a 2x3 grid to 5x4 (one side grows, the other shrinks)", (2, 3), (5, 4), 3, seed=402, linear=False
        ),
        public.resize_case(
            "float64 keeps its dtype, 4x4 to 8x8",
            (4, 4),
            (8, 8),
            5,
            seed=403,
            dtype=torch.float64,
            linear=False,
        ),
        public.resize_case(
            "class_token left at its default (True), 3x3 to 5x5",
            (3, 3),
            (5, 5),
            4,
            seed=404,
            class_token=None,
        ),
        public.resize_case("a single patch to a 2x2 grid", (1, 1), (2, 2), 3, seed=405, linear=False),
        public.resize_case(
            "no class token, a 5x5 ramp to 7x7", (5, 5), (7, 7), 3, seed=406, class_token=False
        ),
    ],
}

ORACLES = {
    "test_attention_rollout": _rollout_oracle,
    "test_mean_attention_distance": _distance_oracle,
}
