"""Notebook 2's checks: the public literals equal the instructor's closed form, and the judges tell the
right answer from each catalogued mistake (float64 and float32 versions of it), in the student's words."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from instructor import positional_encoding as closed
from vitlab.checks import positional_encoding as public
from vitlab.checks import scratch
from vitlab.checks.core import Outcome
from vitlab.harness.calls import positional_encoding as calls

# --------------------------------------------------------------------------------------------------
# The closed form itself


def test_the_closed_form_is_the_formula_of_the_text():
    """An independent, element-by-element version of the formula (Python's math module)."""
    N, D = 9, 6
    want = [
        [(math.sin if c % 2 == 0 else math.cos)(p / 10000 ** (2 * (c // 2) / D)) for c in range(D)]
        for p in range(N)
    ]
    np.testing.assert_allclose(closed.encoding(N, D), want, atol=1e-15)


@pytest.mark.parametrize("offset", [-7, 0, 1, 13, 100])
def test_the_rotation_closed_form_moves_the_encoding(offset):
    pe = closed.encoding(300, 16)
    p = np.arange(max(0, -offset), min(300, 300 - offset))
    np.testing.assert_allclose(pe[p] @ closed.rotation(offset, 16).T, pe[p + offset], atol=1e-12)


def test_the_2d_closed_form_is_row_then_column():
    h, w, D = 3, 4, 8
    grid = closed.encoding_2d(h, w, D)
    for n in range(h * w):
        r, c = divmod(n, w)
        np.testing.assert_allclose(
            grid[n], np.concatenate([closed.encoding(h, 4)[r], closed.encoding(w, 4)[c]])
        )


@pytest.mark.parametrize("size", [(1, 2), (50, 16), (200, 64)])
def test_the_closed_form_satisfies_the_public_invariants(size):
    assert public.invariant_problems(torch.from_numpy(closed.encoding(*size))) == []


# --------------------------------------------------------------------------------------------------
# The literals


def _same(literal, fresh):
    if isinstance(fresh, dict):
        assert set(literal) == set(fresh)
        for key in fresh:
            _same(literal[key], fresh[key])
    elif isinstance(fresh, list):
        assert len(literal) == len(fresh)
        for a, b in zip(literal, fresh, strict=True):
            _same(a, b)
    elif fresh is None or isinstance(fresh, int):
        assert literal == fresh
    else:
        assert literal == pytest.approx(fresh, abs=1e-11)


def test_spot_literals_come_from_the_closed_form():
    spots, rotations = closed.public_tables()
    _same(public.SPOTS, spots)
    _same(public.ROTATION_SPOTS, rotations)
    assert {D: t["offsets"] for D, t in public.ROTATION_SPOTS.items()} == public.ROTATION_OFFSETS


@pytest.mark.parametrize("key", sorted(public.SPOTS))
def test_every_mistake_is_told_apart_from_the_right_answer_and_the_others(key):
    table = public.SPOTS[key]
    rows = {
        name: np.array(r, dtype=float) for name, candidates in table["mistakes"].items() for r in candidates
    }
    rows["reference"] = np.array(table["expected"], dtype=float)
    names = sorted(rows)
    for a in names:
        for b in names:
            if a < b:
                both = ~np.isnan(rows[a]) & ~np.isnan(rows[b])
                assert np.abs(rows[a] - rows[b])[both].max() > 10 * public.SPOT_TOL, (a, b)


# --------------------------------------------------------------------------------------------------
# Exercise 1: the judges


def _encoding(pe: np.ndarray | torch.Tensor) -> Outcome:
    return Outcome({"encoding": torch.as_tensor(pe).float()})


def _float32_variant(N: int, D: int, **kw) -> torch.Tensor:
    """The same formula computed in float32 throughout, as many students write it."""
    angle, sine = closed.angles(N, D, **{k: v for k, v in kw.items() if k != "swap"})
    angle32 = torch.from_numpy(angle).float()
    sine = ~sine if kw.get("swap") else sine
    return torch.where(torch.from_numpy(sine), angle32.sin(), angle32.cos())


PUBLIC = public.encoding_judge(public.spot_table)
HIDDEN = public.encoding_judge(closed.full_encoding_table)


@pytest.mark.parametrize("key", sorted(public.SPOTS))
@pytest.mark.parametrize("name,kw", closed.variants(), ids=[f"{n[:30]}-{kw}" for n, kw in closed.variants()])
def test_the_public_judge_names_each_variant(key, name, kw):
    inputs = {"num_positions": key[0], "dim": key[1]}
    for pe in (closed.encoding(*key, **kw), _float32_variant(*key, **kw)):
        verdict = PUBLIC("check", inputs, _encoding(pe))
        assert not verdict.passed and verdict.mistake == name, verdict.message


@pytest.mark.parametrize("name,kw", closed.variants(), ids=[f"{n[:30]}-{kw}" for n, kw in closed.variants()])
def test_the_hidden_judge_names_each_variant(name, kw):
    for N, D in [(33, 10), (197, 64)]:
        verdict = HIDDEN("check", {"num_positions": N, "dim": D}, _encoding(closed.encoding(N, D, **kw)))
        assert not verdict.passed and verdict.mistake == name, verdict.message


@pytest.mark.parametrize("N,D", [(20, 8), (64, 32), (1000, 16), (512, 128)])
def test_float32_arithmetic_passes(N, D):
    judge = PUBLIC if (N, D) in public.SPOTS else HIDDEN
    pe = torch.arange(N, dtype=torch.float32)[:, None] * torch.exp(
        torch.arange(0, D, 2, dtype=torch.float32) * (-math.log(10000.0) / D)
    )
    verdict = judge(
        "check",
        {"num_positions": N, "dim": D},
        _encoding(torch.stack([pe.sin(), pe.cos()], -1).reshape(N, D)),
    )
    assert verdict.passed, verdict.message


def test_an_unnamed_error_says_which_pair_turns_wrong():
    N, D = 64, 32
    angle = torch.arange(N, dtype=torch.float64)[:, None] / 10000 ** (torch.arange(0, D, 2) / (D - 2))
    pe = torch.stack([angle.sin(), angle.cos()], -1).reshape(N, D)
    verdict = PUBLIC("check", {"num_positions": N, "dim": D}, _encoding(pe))
    assert not verdict.passed and verdict.mistake is None
    assert "pair 1 (columns 2 and 3) should turn by w_1" in verdict.message and "PE[" in verdict.message


def test_types_dtypes_and_shapes_are_told_before_values():
    inputs = {"num_positions": 20, "dim": 8}
    as_list = Outcome(calls.returned("encoding", [[0.0] * 8] * 20))
    verdict = PUBLIC("check", inputs, as_list)
    assert verdict.mistake == public.NOT_A_TENSOR and "returned a list" in verdict.message
    verdict = PUBLIC("check", inputs, Outcome({"encoding": torch.from_numpy(closed.encoding(20, 8))}))
    assert verdict.mistake == public.M_FLOAT64
    verdict = PUBLIC("check", inputs, Outcome({"encoding": torch.zeros(8, 20)}))
    assert "expected shape (20, 8), got (8, 20)" in verdict.message
    nan = torch.from_numpy(closed.encoding(20, 8)).float()
    nan[3, 2] = float("nan")
    assert "finite" in PUBLIC("check", inputs, Outcome({"encoding": nan})).message


def test_the_invariants_say_which_property_is_broken():
    pe = torch.from_numpy(closed.encoding(30, 8))
    pe[:, 2] *= 0.5
    assert any("sin^2 + cos^2 = 1" in p for p in public.invariant_problems(pe))
    shifted = torch.from_numpy(closed.encoding(30, 8, start=3))
    assert any("row 0" in p for p in public.invariant_problems(shifted))


# --------------------------------------------------------------------------------------------------
# Exercise 2: the rotation judges


def _maps(inputs: dict, make) -> Outcome:
    found = {}
    for index, k in enumerate(inputs["offsets"]):
        found.update(calls.returned(f"map{index}", make(k, inputs["dim"])))
    return Outcome(found)


ROTATION_PUBLIC = public.rotation_judge(public.rotation_spot_table)
ROTATION_HIDDEN = public.rotation_judge(closed.full_rotation_table)


def _public_inputs(D: int) -> dict:
    return {"dim": D, "offsets": [0, *public.ROTATION_OFFSETS[D]]}


@pytest.mark.parametrize("D", sorted(public.ROTATION_SPOTS))
def test_the_rotation_judges_pass_the_closed_form_in_float32(D):
    inputs = _public_inputs(D)
    assert ROTATION_PUBLIC(
        "check", inputs, _maps(inputs, lambda k, d: torch.from_numpy(closed.rotation(k, d)).float())
    ).passed
    hidden = {"dim": 64, "offsets": [0, 1, -60, 119]}
    verdict = ROTATION_HIDDEN(
        "check", hidden, _maps(hidden, lambda k, d: torch.from_numpy(closed.rotation(k, d)).float())
    )
    assert verdict.passed, verdict.message


@pytest.mark.parametrize("name", sorted(closed.ROTATION_VARIANTS))
def test_the_rotation_judges_name_each_variant(name):
    kw = closed.ROTATION_VARIANTS[name]
    for judge, inputs in (
        (ROTATION_PUBLIC, _public_inputs(32)),
        (ROTATION_PUBLIC, _public_inputs(6)),
        (ROTATION_HIDDEN, {"dim": 16, "offsets": [0, 1, 5, -9]}),
    ):
        outcome = _maps(inputs, lambda k, d: torch.from_numpy(closed.rotation(k, d, **kw)).float())
        verdict = judge("check", inputs, outcome)
        assert not verdict.passed and verdict.mistake == name, verdict.message


def test_the_rotation_structure_is_checked_first():
    inputs = _public_inputs(6)
    dense = _maps(inputs, lambda k, d: torch.from_numpy(closed.rotation(k, d)).float() + 0.01 * (k != 0))
    assert "block-diagonal" in ROTATION_PUBLIC("check", inputs, dense).message
    identity = _maps(inputs, lambda k, d: torch.eye(d) * 2)
    assert "identity" in ROTATION_PUBLIC("check", inputs, identity).message
    flipped = _maps(
        inputs, lambda k, d: torch.from_numpy(closed.rotation(k, d)).float().flip(0) if k else torch.eye(d)
    )
    assert "should be block-diagonal" in ROTATION_PUBLIC("check", inputs, flipped).message
    array = _maps(inputs, lambda k, d: closed.rotation(k, d))
    verdict = ROTATION_PUBLIC("check", inputs, array)
    assert verdict.mistake == public.NOT_A_TENSOR and "returned a ndarray" in verdict.message


# --------------------------------------------------------------------------------------------------
# Extension: the 2-D judges


def _grid(h: int, w: int, D: int, grid: np.ndarray, rows=None) -> Outcome:
    rows = closed.encoding(h, D // 2) if rows is None else rows
    return Outcome(
        {
            "encoding": torch.from_numpy(grid).float(),
            "rows": torch.from_numpy(rows).float(),
            "cols": torch.from_numpy(closed.encoding(w, D // 2)).float(),
        }
    )


def test_the_2d_judges():
    h, w, D = public.GRID
    inputs = {"height": h, "width": w, "dim": D}
    public_judge = public.ENCODING_2D.public[0].judge
    assert public_judge("check", inputs, _grid(h, w, D, closed.encoding_2d(h, w, D))).passed
    assert closed.judge_2d("check", inputs, _grid(h, w, D, closed.encoding_2d(h, w, D))).passed
    for name, variant in closed.VARIANTS_2D.items():
        for judge in (public_judge, closed.judge_2d):
            verdict = judge("check", inputs, _grid(h, w, D, closed.encoding_2d(h, w, D, variant=variant)))
            assert verdict.mistake == name, verdict.message
    wrong_rows = closed.encoding(h, D // 2, base=1000.0)
    assembled = np.concatenate(
        [wrong_rows[np.arange(h * w) // w], closed.encoding(w, D // 2)[np.arange(h * w) % w]], 1
    )
    verdict = closed.judge_2d("check", inputs, _grid(h, w, D, assembled, rows=wrong_rows))
    assert not verdict.passed and closed.T_FROM_ONE_D in verdict.message
    interleaved = closed.encoding_2d(h, w, D).reshape(h * w, 2, D // 2).transpose(0, 2, 1).reshape(h * w, D)
    verdict = public_judge("check", inputs, _grid(h, w, D, interleaved))
    assert verdict.mistake == public.T_INTERLEAVED
    assert "token 0 (row 0, column 0 of the 4 x 20 grid): its first 8" in verdict.message
    raster = np.concatenate([closed.encoding(h * w, D // 2)] * 2, 1)  # the raster number n in both halves
    assert public_judge("check", inputs, _grid(h, w, D, raster)).mistake == public.T_RASTER


def _cell(source: str) -> dict:
    """Functions defined as a notebook cell defines them (the run half counts only the student's lines)."""
    namespace: dict = {"torch": torch, "math": math}
    exec(compile(source, "<cell test>", "exec"), namespace)
    return namespace


ONE_D_VECTORISED = """
def sinusoidal_encoding(n, d):
    angle = torch.arange(n, dtype=torch.float64)[:, None] * 10000.0 ** (-torch.arange(0, d, 2) / d)
    return torch.stack([angle.sin(), angle.cos()], -1).reshape(n, d).float()
"""
ONE_D_LOOPING = """
def sinusoidal_encoding(n, d):
    rows = [[(math.sin if c % 2 == 0 else math.cos)(p / 10000 ** (2 * (c // 2) / d)) for c in range(d)]
            for p in range(n)]
    return torch.tensor(rows)
"""
TWO_D_VECTORISED = """
def sinusoidal_encoding_2d(h, w, d):
    rows = sinusoidal_encoding(h, d // 2)[:, None].expand(h, w, d // 2)
    cols = sinusoidal_encoding(w, d // 2)[None].expand(h, w, d // 2)
    return torch.cat([rows, cols], -1).reshape(h * w, d)
"""
TWO_D_LOOPING = """
def sinusoidal_encoding_2d(h, w, d):
    rows, cols = sinusoidal_encoding(h, d // 2), sinusoidal_encoding(w, d // 2)
    return torch.stack([torch.cat([rows[n // w], cols[n % w]]) for n in range(h * w)])
"""


@pytest.mark.parametrize(
    "one_d,two_d,loops",
    [
        (ONE_D_VECTORISED, TWO_D_VECTORISED, False),
        (ONE_D_LOOPING, TWO_D_VECTORISED, False),  # the 1-D exercise's loop, not the 2-D code's
        (ONE_D_VECTORISED, TWO_D_LOOPING, True),
        (ONE_D_LOOPING, TWO_D_LOOPING, True),
    ],
)
def test_the_2d_loop_check_blames_only_the_2d_code(one_d, two_d, loops):
    objects = _cell(one_d + two_d)
    rule = public.ENCODING_2D.scratch
    outcome = Outcome(rule.call(objects, rule.inputs()))
    verdict = scratch.run_case(rule).judge("check", {}, outcome)
    assert verdict.passed != loops, verdict.message
    assert loops == (verdict.mistake == scratch.PYTHON_LOOP)


def test_the_loop_checks_are_from_scratch_rules_that_forbid_no_built_in():
    """The code half applies (bypasses are caught), and the catalogue names no 'built-in used'."""
    from vitlab.checks import registry

    for exercise in public.EXERCISES:
        assert exercise.scratch is not None and exercise.scratch.names == () == exercise.scratch.labels
    catalogue = registry.catalogue("positional_encoding")
    assert scratch.PYTHON_LOOP in catalogue and scratch.BUILT_IN not in catalogue
    hidden = "import sys\n" + ONE_D_VECTORISED.replace(
        "    angle =", "    sys.settrace(None)\n    angle =", 1
    )
    found = scratch.code_violations(
        public.SINUSOIDAL.scratch, [("sinusoidal", hidden)], ["sinusoidal_encoding"]
    )
    verdict = scratch.code_verdict(public.SINUSOIDAL, found)
    assert not verdict.passed and verdict.mistake == scratch.BYPASS and "sys.settrace" in verdict.message
