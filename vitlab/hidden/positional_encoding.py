"""Instructor-only checks for notebook 2: the NumPy closed form of the sinusoidal encoding.

The closed form *is* the exercise's answer, so it lives here and never in the student release. The
public checks (:mod:`vitlab.checks.positional_encoding`) only hold invariants and a few literal spot
values; :func:`spot_table` regenerates those literals from this oracle
(tests/test_checks_positional_encoding.py keeps them equal).

Every oracle is float64 NumPy, computed independently of PyTorch.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from vitlab.checks import positional_encoding as public
from vitlab.checks.core import (
    Case,
    Exercise,
    Inputs,
    Mistake,
    Outcome,
    Tensors,
    Tolerance,
    Verdict,
    require,
    seeded,
)

BASE = 10000.0


# --------------------------------------------------------------------------------------------------
# The closed form and its typical wrong variants (float64 NumPy)


def encoding(
    num_positions: int,
    dim: int,
    *,
    base: float = BASE,
    start: int = 0,
    exponent: str = "2i",
    order: str = "interleaved",
    swap: bool = False,
) -> np.ndarray:
    """PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)); variants by keyword."""
    p = np.arange(start, start + num_positions, dtype=np.float64)[:, None]  # (P, 1)
    column = np.arange(dim)
    pair = column // 2
    power = {"2i": 2 * pair / dim, "i": pair / dim, "column": column / dim, "zero": 0 * column}[exponent]
    angle = p / base ** power[None, :]  # (P, D)
    first, second = (np.cos, np.sin) if swap else (np.sin, np.cos)
    if order == "interleaved":
        return np.where(column % 2 == 0, first(angle), second(angle))
    half = angle[:, 0::2]  # (P, D/2): one angle per pair
    return np.concatenate([first(half), second(half)], axis=1)


def rotation(offset: int, dim: int) -> np.ndarray:
    """The block-diagonal map R with R @ PE[p] = PE[p + offset], from the angle-sum identities."""
    theta = offset / BASE ** (2 * np.arange(dim // 2) / dim)
    R = np.zeros((dim, dim))
    c, s = np.cos(theta), np.sin(theta)
    even = 2 * np.arange(dim // 2)
    R[even, even], R[even, even + 1] = c, s
    R[even + 1, even], R[even + 1, even + 1] = -s, c
    return R


def encoding_2d(height: int, width: int, dim: int) -> np.ndarray:
    rows, cols = np.divmod(np.arange(height * width), width)
    half = dim // 2
    return np.concatenate([encoding(height, half)[rows], encoding(width, half)[cols]], axis=1)


#: name -> keyword arguments of :func:`encoding` reproducing that mistake
VARIANTS = {
    public.M_SWAP: dict(swap=True),
    public.M_PAIR_INDEX: dict(exponent="i"),
    public.M_COLUMN_INDEX: dict(exponent="column"),
    public.M_START1: dict(start=1),
    public.M_HALVES: dict(order="halves"),
    public.M_INTDIV: dict(exponent="zero"),
}
WRONG_BASES = (1000.0, 100000.0)  # base 100 with 2i equals 10000 with i: see M_PAIR_INDEX


def spot_table(num_positions: int, dim: int, positions: list[int], columns: list[int]) -> dict:
    """The literal spot values the public checks hold for one public case (regenerate and paste)."""

    def at(pe: np.ndarray) -> list[float]:
        return [float(f"{pe[p, c]:.12g}") for p, c in zip(positions, columns)]

    mistakes = {name: [at(encoding(num_positions, dim, **kw))] for name, kw in VARIANTS.items()}
    mistakes[public.M_BASE] = [at(encoding(num_positions, dim, base=b)) for b in WRONG_BASES]
    return {
        "positions": positions,
        "columns": columns,
        "expected": at(encoding(num_positions, dim)),
        "mistakes": mistakes,
    }


# --------------------------------------------------------------------------------------------------
# Hidden test of exercise 1: the full closed form on other sizes


def tolerance(num_positions: int) -> Tolerance:
    """float32 angles p * w carry a relative error of about 1e-7, so the error grows with p."""
    return Tolerance(1e-5, 1e-6 + 4e-7 * num_positions)


def _oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"encoding": torch.from_numpy(encoding(inputs["num_positions"], inputs["dim"])).float()}


def _full_mistakes() -> list[Mistake]:
    def variant(**kw):
        return lambda i, _: {
            "encoding": torch.from_numpy(encoding(i["num_positions"], i["dim"], **kw)).float()
        }

    mistakes = [Mistake(name, public.FIXES[name], variant(**kw)) for name, kw in VARIANTS.items()]
    return mistakes + [
        Mistake(public.M_BASE, public.FIXES[public.M_BASE], variant(base=b)) for b in WRONG_BASES
    ]


def _exercise(num_positions: int) -> Exercise:
    return dataclasses.replace(
        public.SINUSOIDAL, oracle=_oracle, mistakes=_full_mistakes(), tol=tolerance(num_positions)
    )


def _size(P: int, D: int) -> Case:
    return Case(f"{P} positions, dim {D}", lambda: {"num_positions": P, "dim": D})


SINUSOIDAL_HIDDEN = [
    (P, _size(P, D))
    for P, D in [(1, 2), (2, 2), (7, 6), (33, 10), (197, 64), (512, 128), (1000, 16), (3, 256)]
]
BAD_SIZES = [
    Case(
        f"num_positions={P}, dim={D}",
        lambda P=P, D=D: {"num_positions": P, "dim": D},
        expect_error=ValueError,
    )
    for P, D in [(0, 8), (-4, 8), (10, 0), (10, -2), (10, 1), (5, 15)]
]


def test_sinusoidal_encoding(sinusoidal_encoding) -> None:
    verdicts = []
    for P, case in SINUSOIDAL_HIDDEN:
        exercise = _exercise(P)
        verdicts += exercise.verdicts(sinusoidal_encoding, [case])
    verdicts += _exercise(8).verdicts(sinusoidal_encoding, BAD_SIZES)
    verdicts += public.SINUSOIDAL.verdicts(
        sinusoidal_encoding, [public.from_scratch_case(public.ENCODING_SIZES)]
    )
    require(verdicts, "sinusoidal_encoding (hidden)")


# --------------------------------------------------------------------------------------------------
# Hidden test of exercise 2: the rotation for random offsets, compared with the closed form


def _rotation_run(rotation_for_offset, inputs: Inputs) -> Tensors:
    return {
        "maps": torch.stack(
            [torch.as_tensor(rotation_for_offset(k, inputs["dim"])).double() for k in inputs["offsets"]]
        )
    }


def _rotation_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, f"your code raised {outcome.error_type}: {outcome.error_message}")
    D = inputs["dim"]
    maps = outcome.tensors["maps"]
    if tuple(maps.shape[1:]) != (D, D):
        return Verdict(False, check, f"expected a ({D}, {D}) matrix, got {tuple(maps.shape[1:])}")
    pe = encoding(200, D)
    for k, M in zip(inputs["offsets"], maps.numpy()):
        want = rotation(k, D)
        if not np.allclose(M, want, rtol=1e-5, atol=1e-5):
            p = np.arange(max(0, -k), min(200, 200 - k))
            moved = pe[p] @ M.T
            named = public.rotation_mistake(torch.from_numpy(M), k, torch.from_numpy(pe), p)
            if named:
                return Verdict(
                    False,
                    check,
                    f"offset {k}: this looks like a typical mistake: {named}.\nFix: {public.FIXES[named]}",
                    mistake=named,
                )
            err = np.abs(moved - pe[p + k]).max()
            return Verdict(
                False,
                check,
                f"offset {k}, dim {D}: your map differs from the rotation that takes "
                f"PE[p] to PE[p + {k}] (largest error on PE[p + {k}]: {err:.3g})",
            )
    return Verdict(True, check)


def _offsets(seed: int, count: int) -> list[int]:
    return torch.randint(-60, 120, (count,), generator=seeded(seed)).tolist()


ROTATION_HIDDEN = [
    Case(
        f"dim {D}, random offsets",
        lambda D=D, s=s: {"dim": D, "offsets": [0, 1] + _offsets(s, 6)},
        run=_rotation_run,
        judge=_rotation_judge,
    )
    for D, s in [(2, 501), (6, 502), (16, 503), (64, 504)]
]


def test_rotation_for_offset(rotation_for_offset) -> None:
    require(public.ROTATION.verdicts(rotation_for_offset, ROTATION_HIDDEN), "rotation_for_offset (hidden)")


# --------------------------------------------------------------------------------------------------
# Hidden test of the extension: the 2-D encoding against the closed form


def _oracle_2d(inputs: Inputs, _: Outcome) -> Tensors:
    return {
        "encoding": torch.from_numpy(encoding_2d(inputs["height"], inputs["width"], inputs["dim"])).float()
    }


def _case_2d(h: int, w: int, D: int) -> Case:
    return Case(f"{h}x{w} grid, dim {D}", lambda: {"height": h, "width": w, "dim": D})


ENCODING_2D_HIDDEN = [_case_2d(1, 1, 4), _case_2d(2, 5, 8), _case_2d(14, 14, 64), _case_2d(7, 3, 12)]
BAD_2D = [
    Case(
        f"dim {D} (not a multiple of 4)",
        lambda D=D: {"height": 3, "width": 3, "dim": D},
        expect_error=ValueError,
    )
    for D in (6, 10, 3)
]


def _mistakes_2d() -> list[Mistake]:
    def swapped(i: Inputs, _: Outcome) -> Tensors:
        half = i["dim"] // 2
        right = encoding_2d(i["height"], i["width"], i["dim"])
        return {"encoding": torch.from_numpy(np.concatenate([right[:, half:], right[:, :half]], 1)).float()}

    def column_major(i: Inputs, _: Outcome) -> Tensors:
        h, w = i["height"], i["width"]
        right = encoding_2d(h, w, i["dim"]).reshape(h, w, -1)
        return {"encoding": torch.from_numpy(right.transpose(1, 0, 2).reshape(h * w, -1)).float()}

    return [
        Mistake(public.T_SWAPPED, public.FIXES[public.T_SWAPPED], swapped),
        Mistake(public.T_COLUMN_MAJOR, public.FIXES[public.T_COLUMN_MAJOR], column_major),
    ]


def test_sinusoidal_encoding_2d(sinusoidal_encoding_2d, sinusoidal_encoding) -> None:
    exercise = dataclasses.replace(
        public.ENCODING_2D, oracle=_oracle_2d, mistakes=_mistakes_2d(), tol=tolerance(20)
    )
    require(
        exercise.verdicts((sinusoidal_encoding_2d, sinusoidal_encoding), ENCODING_2D_HIDDEN + BAD_2D),
        "sinusoidal_encoding_2d (hidden)",
    )
