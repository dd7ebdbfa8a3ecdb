"""Notebook 8's checks: the oracles against independent computations, the literal table against the
instructor's rollout, the hand-built distances against the formula, and catalogues that can tell
their mistakes apart."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from torchvision.models.vision_transformer import interpolate_embeddings

from instructor import analysis as hidden
from vitlab.checks import analysis as checks
from vitlab.checks import core, registry
from vitlab.harness.calls import analysis as calls
from vitlab.harness.wire import Outcome

# --------------------------------------------------------------------------------------------------
# Exercise 1: the maps PyTorch recomputes are the maps the layers compute


def _reference_maps(model: torch.nn.Module, images: torch.Tensor) -> torch.Tensor:
    """Each block's weights from nn.MultiheadAttention itself, on what ln_1 gave it."""
    inputs = calls.layer_inputs(model, images)["ln_inputs"]  # (L, B, T, D)
    layers = model.encoder.layers
    return torch.stack(
        [
            layer.self_attention(x, x, x, need_weights=True, average_attn_weights=False)[1].detach()
            for layer, x in zip(layers, inputs, strict=True)
        ]
    )


def _maps_inputs(config: dict, training: bool = False, float64: bool = False) -> dict:
    case = checks.maps_case("test", config, batch=2, training=training, float64=float64)
    return case.inputs()


@pytest.mark.parametrize("float64", [False, True])
def test_recomputed_maps_equal_the_layers_own(float64):
    inputs = _maps_inputs(
        {"image_size": 12, "patch_size": 4, "dim": 12, "depth": 2, "heads": 3}, float64=float64
    )
    model = calls.build_model(inputs).eval()
    images = inputs["images"].to(torch.float64 if float64 else torch.float32)
    outcome = Outcome(
        tensors=calls.attention_maps({"attention_maps": lambda m, x: _reference_maps(m, x)}, inputs)
    )
    expected = checks.recomputed_maps(inputs, outcome)
    assert expected.shape == (2, 2, 3, 10, 10)
    assert torch.allclose(expected, _reference_maps(model, images), atol=1e-6)
    assert torch.allclose(expected.sum(-1), torch.ones((), dtype=expected.dtype))


def test_the_attention_is_sharp_enough_to_tell_mistakes_apart():
    inputs = _maps_inputs({"image_size": 12, "patch_size": 4, "dim": 16, "depth": 2, "heads": 2})
    outcome = Outcome(
        tensors=calls.attention_maps({"attention_maps": lambda m, x: _reference_maps(m, x)}, inputs)
    )
    expected = checks._maps_oracle(inputs, outcome)
    for mistake in checks.MAPS_MISTAKES:
        wrong = mistake.produce(inputs, outcome)
        assert core.differences(expected, wrong, checks.MAPS_TOL, check_dtype=False), mistake.name


def test_query_scale_mistakes_are_the_scores_they_name():
    inputs = _maps_inputs({"image_size": 12, "patch_size": 4, "dim": 16, "depth": 1, "heads": 4})
    outcome = Outcome(
        tensors=calls.attention_maps({"attention_maps": lambda m, x: _reference_maps(m, x)}, inputs)
    )
    x, w, b = (outcome.tensors[k][0] for k in ("ln_inputs", "in_proj_weight", "in_proj_bias"))
    q, k, _ = F.linear(x, w, b).chunk(3, dim=-1)  # (B, T, D)
    q, k = (t.unflatten(-1, (4, 4)).transpose(1, 2) for t in (q, k))  # (B, nh, T, d)
    for scale in (1.0, 1 / math.sqrt(16)):  # no scale; 1 / sqrt(D)
        manual = (q @ k.transpose(-1, -2) * scale).softmax(dim=-1)
        factor = math.sqrt(4) if scale == 1.0 else 1 / math.sqrt(4)
        assert torch.allclose(
            checks.recomputed_maps(inputs, outcome, query_scale=factor)[0], manual, atol=1e-6
        )


def test_hook_count_sees_hooks_and_replaced_forwards():
    model = calls.build_model(
        _maps_inputs({"image_size": 8, "patch_size": 4, "dim": 8, "depth": 1, "heads": 2})
    )
    base = calls.hook_count(model)
    handle = model.encoder.layers[0].ln_1.register_forward_hook(lambda *a: None)
    assert calls.hook_count(model) == base + 1
    handle.remove()
    model.heads.forward = lambda x: x
    assert calls.hook_count(model) == base + 1


def test_a_list_returned_is_refused_with_a_clear_message():
    inputs = _maps_inputs({"image_size": 8, "patch_size": 4, "dim": 8, "depth": 1, "heads": 2})
    with pytest.raises(TypeError, match="torch.stack"):
        calls.attention_maps({"attention_maps": lambda m, x: list(_reference_maps(m, x))}, inputs)


# --------------------------------------------------------------------------------------------------
# Exercise 2: rollout


def _rollout_by_hand(maps: torch.Tensor) -> torch.Tensor:
    """Image by image, with 0.5 A + 0.5 I (equal to A + I renormalised) and the product written out."""
    L, B, H, T, _ = maps.shape
    out = []
    for b in range(B):
        r = torch.eye(T, dtype=torch.float64)
        for layer in range(L):
            a = 0.5 * maps[layer, b].double().mean(0) + 0.5 * torch.eye(T, dtype=torch.float64)
            r = a @ r
        out.append(r)
    return torch.stack(out)


def test_the_instructor_rollout_against_one_written_out():
    maps = checks.stochastic((5, 3, 4, 7, 7), seed=1)
    assert torch.allclose(hidden.rollout(maps.double()), _rollout_by_hand(maps), atol=1e-12)


def test_rollout_invariants():
    maps = checks.stochastic((6, 2, 3, 9, 9), seed=2, dtype=torch.float64)
    r = hidden.rollout(maps)
    assert torch.allclose(r.sum(-1), torch.ones(2, 9, dtype=torch.float64))
    assert (r >= 0).all()
    eye = torch.eye(5).expand(4, 2, 3, 5, 5)
    assert torch.equal(hidden.rollout(eye), torch.eye(5).expand(2, 5, 5))


def test_the_literal_table_is_the_instructor_rollout():
    assert checks.ROLLOUT_TABLE == hidden.rollout_tables(), "regenerate ROLLOUT_TABLE from rollout_tables()"


def test_the_table_input_is_exact_and_stochastic():
    maps = checks.table_maps()
    assert maps.shape == (3, 2, 2, 4, 4)
    assert torch.equal(maps.sum(-1), torch.ones(3, 2, 2, 4))
    assert torch.equal(maps * 16, (maps * 16).round())
    assert len({tuple(r) for r in maps.reshape(-1, 4).tolist()}) > 3  # not one row repeated


def test_the_table_tells_every_mistake_apart():
    tables = {name: torch.tensor(t) for name, t in checks.ROLLOUT_TABLE.items()}
    for (a, ta), (b, tb) in itertools.combinations(tables.items(), 2):
        assert not torch.allclose(ta, tb, rtol=1e-4, atol=1e-4), (a, b)


def test_formula_mistakes_agree_with_the_table():
    maps = checks.table_maps()
    inputs = {"maps": maps, "table": True}
    outcome = Outcome()
    for mistake in hidden.ROLLOUT_FORMULAS:
        wrong = mistake.produce(inputs, outcome)["rollout"]
        assert any(
            torch.allclose(wrong.double(), torch.tensor(t, dtype=torch.float64), atol=1e-6)
            for name, t in checks.ROLLOUT_TABLE.items()
            if name.startswith(mistake.name)
        ), mistake.name


# --------------------------------------------------------------------------------------------------
# Exercise 3: mean attention distance


def _distance_by_hand(maps: torch.Tensor, grid: tuple[int, int], P: int) -> torch.Tensor:
    h, w = grid
    L, B, H, T, _ = maps.shape
    out = torch.zeros(L, H, dtype=torch.float64)
    for layer, head in itertools.product(range(L), range(H)):
        total = 0.0
        for b, q in itertools.product(range(B), range(h * w)):
            row = maps[layer, b, head, 1 + q, 1:].double()
            row = row / row.sum()
            total += sum(float(row[k]) * P * math.hypot(q // w - k // w, q % w - k % w) for k in range(h * w))
        out[layer, head] = total / (B * h * w)
    return out


@pytest.mark.parametrize("grid", [(3, 3), (2, 5), (4, 1)])
def test_the_instructor_distance_against_one_written_out(grid):
    maps = checks.stochastic(
        (2, 2, 3, 1 + grid[0] * grid[1], 1 + grid[0] * grid[1]), seed=3, dtype=torch.float64
    )
    assert torch.allclose(hidden.mean_distance(maps, grid, 4), _distance_by_hand(maps, grid, 4), atol=1e-10)


def _public_distance_cases():
    return [c for c in registry.exercise("test_mean_attention_distance").public if "hand-built" in c.name] + [
        c for c in hidden.HIDDEN["test_mean_attention_distance"] if "hand-built" in c.name
    ]


@pytest.mark.parametrize("case", _public_distance_cases(), ids=lambda c: c.name[:40])
def test_hand_built_distances_are_the_formula(case):
    inputs = case.inputs()
    maps, grid, P = inputs["maps"], inputs["grid"], inputs["patch_size"]
    assert torch.allclose(
        checks.known_distances(inputs).double(), hidden.mean_distance(maps.double(), grid, P), atol=1e-6
    )
    by_name = {m.name: m for m in hidden.DISTANCE_FORMULAS}
    for mistake in checks.DISTANCE_MISTAKES:  # the construction's value of each mistake is the formula's
        built = mistake.produce(inputs, Outcome())["distances"].double()
        formula = by_name[mistake.name].produce({**inputs, "maps": maps.double()}, Outcome())["distances"]
        assert torch.allclose(built, formula, atol=1e-6), mistake.name
        assert not torch.allclose(built, checks.known_distances(inputs).double(), atol=1e-4), mistake.name


def test_shifted_maps_are_stochastic():
    maps = checks.shifted_maps(3, 4, [[(1, 1), (0, 0)]], batch=2, self_weight=0.3, class_weight=0.2)
    assert maps.shape == (1, 2, 2, 13, 13)
    assert torch.allclose(maps.sum(-1), torch.ones(1, 2, 2, 13))


# --------------------------------------------------------------------------------------------------
# Exercise 4: resize


def test_the_resize_layout_is_torchvisions():
    """With torchvision's align_corners=True, the oracle's layout equals interpolate_embeddings's."""
    case = checks.resize_case("t", (4, 4), (7, 7), 6, seed=5, linear=False)
    inputs = case.inputs()
    theirs = interpolate_embeddings(28, 4, {"encoder.pos_embedding": inputs["pos_embed"]})[
        "encoder.pos_embedding"
    ]
    assert torch.allclose(checks.resized(inputs, align_corners=True), theirs, atol=1e-6)


def test_the_same_size_is_the_identity():
    inputs = checks.resize_case("t", (3, 5), (3, 5), 4, seed=6).inputs()
    assert torch.equal(checks._resize_oracle(inputs, Outcome())["pos_embed"], inputs["pos_embed"])


def test_the_ramp_is_a_ramp():
    pos = checks.ramp(3, 4, 5, seed=0)  # (1, 1 + 12, 5)
    assert pos[0, 1 + 2 * 4 + 3, :3].tolist() == [2.0, 3.0, 5.0]


@pytest.mark.parametrize("case", registry.exercise("test_resize_pos_embed").public, ids=lambda c: c.name[:40])
def test_every_resize_mistake_differs_where_it_applies(case):
    inputs = case.inputs()
    expected = checks._resize_oracle(inputs, Outcome())
    same_size = inputs["old_grid"] == inputs["new_grid"]
    square = all(h == w for h, w in (inputs["old_grid"], inputs["new_grid"]))
    for mistake in checks.RESIZE_MISTAKES:
        wrong = mistake.produce(inputs, Outcome())
        if wrong is None or same_size or (square and mistake.name == checks.Z_SWAPPED):
            continue  # a swap of h and w changes nothing on square grids
        assert core.differences(expected, wrong, core.FLOAT32, check_dtype=False), (case.name, mistake.name)


def test_every_public_mistake_is_named_by_a_public_case():
    """The catalogue's names each come from a public case (tests/test_catalogue.py runs the samples)."""
    names = set(registry.catalogue("analysis"))
    assert {checks.A_KEPT, checks.R_LAYER_LEFT_OUT, checks.D_MEAN_OVER_KEYS, checks.Z_ONE_D} <= names
