"""Instructor-only: notebook 2's closed forms (the NumPy sinusoidal encoding, its rotation, the 2-D
grid) and the hidden cases judged against them.

The closed form *is* the answer to the notebook's exercises, so it lives here, never in ``vitlab``:
the public checks (:mod:`vitlab.checks.positional_encoding`) hold invariants and literal spot
tables, which :func:`encoding_spots` and :func:`rotation_spots` regenerate from these formulas
(tests/test_checks_positional_encoding.py keeps them equal). Every formula here is float64 NumPy,
computed independently of PyTorch; the typical mistakes are the same formulas with one keyword
changed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from vitlab.checks import messages
from vitlab.checks import positional_encoding as public
from vitlab.checks.core import Case, Inputs, Outcome, Verdict, seeded

BASE = 10000.0


def comparable(angle: np.ndarray, atol: float) -> np.ndarray:
    """Where a float32 answer's sine of ``angle`` still has the digits to compare within ``atol``."""
    return np.abs(angle) * public.ANGLE_ERROR <= atol


# --------------------------------------------------------------------------------------------------
# The closed forms and their typical wrong variants (float64 NumPy)

#: the exponent of 1 / base^x that column c's pair gets, by variant (i = c // 2 is the pair index)
EXPONENTS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "2i": lambda c, d: 2 * (c // 2) / d,
    "i": lambda c, d: (c // 2) / d,
    "column": lambda c, d: c / d,
    "zero": lambda c, d: 0 * c,
    "4i": lambda c, d: 4 * (c // 2) / d,
    "inverted": lambda c, d: -2 * (c // 2) / d,
}


def angles(
    num_positions: int,
    dim: int,
    *,
    base: float = BASE,
    start: int = 0,
    exponent: str = "2i",
    order: str = "interleaved",
) -> tuple[np.ndarray, np.ndarray]:
    """(angle (N, D), sine (D,)): the angle each entry is the sine or cosine of, and which of the two."""
    p = np.arange(start, start + num_positions, dtype=np.float64)[:, None]  # (N, 1)
    column = np.arange(dim)
    angle = p / base ** EXPONENTS[exponent](column, dim)[None, :]  # (N, D)
    sine = column % 2 == 0
    if order == "halves":  # sin of every pair, then cos of every pair
        pair_angles = angle[:, 0::2]  # (N, D/2)
        angle = np.concatenate([pair_angles, pair_angles], axis=1)
        sine = column < dim // 2
    return angle, sine


def encoding(num_positions: int, dim: int, *, swap: bool = False, **variant) -> np.ndarray:
    """PE[p, 2i] = sin(p / base^(2i/D)), PE[p, 2i+1] = cos(p / base^(2i/D)); variants by keyword."""
    angle, sine = angles(num_positions, dim, **variant)
    if swap:
        sine = ~sine
    return np.where(sine[None, :], np.sin(angle), np.cos(angle))  # (N, D)


def frequencies(dim: int) -> np.ndarray:
    return 1.0 / BASE ** (2 * np.arange(dim // 2) / dim)  # (D/2,)


#: name -> keyword arguments of :func:`encoding` reproducing that mistake
VARIANTS: dict[str, dict] = {
    public.M_SWAP: dict(swap=True),
    public.M_PAIR_INDEX: dict(exponent="i"),
    public.M_COLUMN_INDEX: dict(exponent="column"),
    public.M_START1: dict(start=1),
    public.M_HALVES: dict(order="halves"),
    public.M_INTDIV: dict(exponent="zero"),
    public.M_INVERTED: dict(exponent="inverted"),
    public.M_DOUBLED_EXPONENT: dict(exponent="4i"),
}
WRONG_BASES = (1000.0, 100000.0)  # base 100 with 2i equals 10000 with i: see M_PAIR_INDEX


def variants() -> list[tuple[str, dict]]:
    return [*VARIANTS.items(), *((public.M_BASE, dict(base=b)) for b in WRONG_BASES)]


def rotation_angles(offset: int, dim: int, *, frequency: str = "right", backward: bool = False) -> np.ndarray:
    """The angle each 2x2 block of R(offset) turns by, (D/2,)."""
    right = frequencies(dim)
    pair = 1.0 / BASE ** (np.arange(dim // 2) / dim)  # the pair index i where 2i belongs
    omega = {"right": right, "none": np.ones(dim // 2), "inverted": 1.0 / right, "pair": pair}[frequency]
    return (-offset if backward else offset) * omega


def rotation(offset: int, dim: int, **variant) -> np.ndarray:
    """The block-diagonal R with R @ PE[p] = PE[p + offset], from the angle-sum identities."""
    theta = rotation_angles(offset, dim, **variant)
    R = np.zeros((dim, dim))
    c, s = np.cos(theta), np.sin(theta)
    even = 2 * np.arange(dim // 2)
    R[even, even], R[even, even + 1] = c, s
    R[even + 1, even], R[even + 1, even + 1] = -s, c
    return R


ROTATION_VARIANTS: dict[str, dict] = {
    public.R_BACKWARD: dict(backward=True),
    public.R_NO_FREQUENCY: dict(frequency="none"),
    public.M_INVERTED: dict(frequency="inverted"),
}


def encoding_2d(height: int, width: int, dim: int, *, variant: str | None = None) -> np.ndarray:
    """(h*w, D): token n = r*w + c is [PE_{D/2}(r), PE_{D/2}(c)]; variants: swapped, column_major."""
    rows, cols = np.divmod(np.arange(height * width), width)
    if variant == "column_major":
        cols, rows = np.divmod(np.arange(height * width), height)
    half = dim // 2
    first, second = encoding(height, half)[rows], encoding(width, half)[cols]
    if variant == "swapped":
        first, second = encoding(width, half)[cols], encoding(height, half)[rows]
    return np.concatenate([first, second], axis=1)


# --------------------------------------------------------------------------------------------------
# The public literal tables (regenerate and paste into vitlab/checks/positional_encoding.py)


def _rounded(values: np.ndarray, keep: np.ndarray | None = None) -> list:
    out = [float(f"{v:.12g}") for v in values]
    return out if keep is None else [v if k else None for v, k in zip(out, keep, strict=True)]


def encoding_spots(num_positions: int, dim: int, positions: list[int], columns: list[int]) -> dict:
    """The literal spot values of one public case: right ones, the pairs' frequencies, and each mistake's
    (None where a mistake's angle is too large for float32 digits to mean anything)."""

    def at(kw: dict) -> list:
        angle, _ = angles(num_positions, dim, **{k: v for k, v in kw.items() if k != "swap"})
        values = encoding(num_positions, dim, **kw)[positions, columns]
        return _rounded(values, comparable(angle[positions, columns], public.SPOT_TOL))

    mistakes: dict[str, list] = {}
    for name, kw in variants():
        mistakes.setdefault(name, []).append(at(kw))
    return {
        "positions": positions,
        "columns": columns,
        "expected": at({}),
        "frequencies": _rounded(frequencies(dim)),
        "mistakes": mistakes,
    }


def rotation_spots(dim: int, offsets: list[int], pairs: list[int]) -> dict:
    """The literal (cos, sin) of chosen blocks of R(k) for a public case, and the inverted frequencies'."""

    def table(**kw) -> dict:
        theta = np.array([rotation_angles(k, dim, **kw)[pairs] for k in offsets])  # (K, I)
        keep = comparable(theta, public.SPOT_TOL)
        return {
            "cos": [_rounded(row, k) for row, k in zip(np.cos(theta), keep, strict=True)],
            "sin": [_rounded(row, k) for row, k in zip(np.sin(theta), keep, strict=True)],
        }

    right = table()
    return {
        "offsets": offsets,
        "pairs": pairs,
        "cos": right["cos"],
        "sin": right["sin"],
        "mistakes": {
            public.M_INVERTED: table(frequency="inverted"),
            public.M_PAIR_INDEX: table(frequency="pair"),
        },
    }


# --------------------------------------------------------------------------------------------------
# Hidden cases of exercise 1: the whole closed form, at other sizes


def encoding_tolerance(num_positions: int) -> float:
    """float32 angles p * w carry a relative error of about 1e-7, so the error grows with p."""
    return 2e-6 + 4e-7 * num_positions


def _masked(values: np.ndarray, angle: np.ndarray, atol: float) -> torch.Tensor:
    return torch.from_numpy(np.where(comparable(angle, atol), values, np.nan)).flatten()


def full_encoding_table(inputs: Inputs) -> public.EncodingTable:
    N, D = inputs["num_positions"], inputs["dim"]
    grid_p, grid_c = np.meshgrid(np.arange(N), np.arange(D), indexing="ij")
    atol = encoding_tolerance(N)
    mistakes: dict[str, list[torch.Tensor]] = {}
    for name, kw in variants():
        angle, _ = angles(N, D, **{k: v for k, v in kw.items() if k != "swap"})
        mistakes.setdefault(name, []).append(_masked(encoding(N, D, **kw), angle, atol))
    return public.EncodingTable(
        positions=grid_p.flatten().tolist(),
        columns=grid_c.flatten().tolist(),
        expected=torch.from_numpy(encoding(N, D)).flatten(),
        mistakes=mistakes,
        frequencies=torch.from_numpy(frequencies(D)),
        atol=atol,
    )


def _closed_form_oracle(inputs: Inputs, _: Outcome) -> dict[str, torch.Tensor]:
    """The NumPy closed form, float64, as float32 (the hidden judges compare every value with it)."""
    return {"encoding": torch.from_numpy(encoding(inputs["num_positions"], inputs["dim"])).float()}


def _encoding_case(N: int, D: int) -> Case:
    return Case(
        f"{N} positions, dim {D}",
        lambda: {"num_positions": N, "dim": D},
        judge=public.encoding_judge(full_encoding_table),
    )


ENCODING_HIDDEN = [
    _encoding_case(N, D)
    for N, D in [(1, 2), (2, 2), (7, 6), (33, 10), (197, 64), (512, 128), (1000, 16), (3, 256)]
]
BAD_SIZES = [
    public.invalid_case(
        f"num_positions={N}, dim={D} (invalid)", lambda N=N, D=D: {"num_positions": N, "dim": D}
    )
    for N, D in [(0, 8), (-4, 8), (10, 0), (10, -2), (10, 1), (5, 15)]
]

# --------------------------------------------------------------------------------------------------
# Hidden cases of exercise 2: every block of R(k), for random offsets and other widths


def rotation_tolerance(offsets: list[int]) -> float:
    return 2e-6 + 4e-7 * max(abs(k) for k in offsets)


def full_rotation_table(inputs: Inputs) -> public.RotationTable:
    D, offsets = inputs["dim"], [k for k in inputs["offsets"] if k != 0]
    atol = rotation_tolerance(inputs["offsets"])

    def blocks(**kw) -> tuple[torch.Tensor, torch.Tensor]:
        theta = np.array([rotation_angles(k, D, **kw) for k in offsets])  # (K, D/2)
        keep = comparable(theta, atol)
        return (
            torch.from_numpy(np.where(keep, np.cos(theta), np.nan)),
            torch.from_numpy(np.where(keep, np.sin(theta), np.nan)),
        )

    cos, sin = blocks()
    return public.RotationTable(
        offsets,
        list(range(D // 2)),
        cos,
        sin,
        {name: blocks(**kw) for name, kw in ROTATION_VARIANTS.items()},
        atol,
    )


def _offsets(seed: int, count: int) -> list[int]:
    return torch.randint(-60, 120, (count,), generator=seeded(seed)).tolist()


ROTATION_HIDDEN = [
    Case(
        f"dim {D}, offsets 0, 1 and {count} random ones",
        lambda D=D, s=s, count=count: {"dim": D, "offsets": [0, 1, *_offsets(s, count)]},
        judge=public.rotation_judge(full_rotation_table),
    )
    for D, s, count in [(2, 501, 4), (6, 502, 6), (16, 503, 6), (64, 504, 6), (128, 505, 3)]
]

# --------------------------------------------------------------------------------------------------
# Hidden cases of the extension: the whole 2-D encoding against the closed form

T_FROM_ONE_D = "your sinusoidal_encoding is wrong (see its test), and this grid is built from it"
VARIANTS_2D = {public.T_SWAPPED: "swapped", public.T_COLUMN_MAJOR: "column_major"}


def _assembled(rows: torch.Tensor, cols: torch.Tensor, w: int) -> torch.Tensor:
    n = torch.arange(rows.shape[0] * cols.shape[0])
    return torch.cat([rows[n // w], cols[n % w]], dim=1)  # (h*w, D)


def judge_2d(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    h, w, D = inputs["height"], inputs["width"], inputs["dim"]
    problem = public.grid_problem(outcome, h, w, D)
    if problem is not None:
        return Verdict(False, check, problem[0], mistake=problem[1])
    got = outcome.tensors["encoding"].double()  # (h*w, D)
    tol = encoding_tolerance(max(h, w))
    if torch.allclose(got, torch.from_numpy(encoding_2d(h, w, D)), rtol=0, atol=tol):
        return Verdict(True, check)
    for name, variant in VARIANTS_2D.items():
        if torch.allclose(got, torch.from_numpy(encoding_2d(h, w, D, variant=variant)), rtol=0, atol=tol):
            return Verdict(False, check, messages.mistake(name, public.FIXES[name]), mistake=name)
    rows, cols = outcome.tensors["rows"].double(), outcome.tensors["cols"].double()
    if torch.allclose(got, _assembled(rows, cols, w), rtol=0, atol=tol):
        return Verdict(
            False,
            check,
            f"{T_FROM_ONE_D}: each token is assembled right from your 1-D "
            "encodings, so fix sinusoidal_encoding first (see its test).",
        )
    return Verdict(False, check, public.token_difference(got, torch.from_numpy(encoding_2d(h, w, D)), w, tol))


def _case_2d(h: int, w: int, D: int) -> Case:
    return Case(f"{h}x{w} grid, dim {D}", lambda: {"height": h, "width": w, "dim": D}, judge=judge_2d)


ENCODING_2D_HIDDEN = [_case_2d(1, 1, 4), _case_2d(2, 5, 8), _case_2d(14, 14, 64), _case_2d(7, 3, 12)]
BAD_2D = [
    public.invalid_case(f"dim {D} (not a multiple of 4)", lambda D=D: {"height": 3, "width": 3, "dim": D})
    for D in (6, 10, 3, 9)
]

HIDDEN = {
    "test_sinusoidal": [*ENCODING_HIDDEN, *BAD_SIZES],
    "test_rotation": ROTATION_HIDDEN,
    "test_encoding_2d": [*ENCODING_2D_HIDDEN, *BAD_2D],
}
#: the oracles that are the notebook's answer (the hidden cases' judges compare with these formulas)
ORACLES = {"test_sinusoidal": _closed_form_oracle}


# --------------------------------------------------------------------------------------------------
# Regenerating the public literals: python -m instructor.positional_encoding

PUBLIC_SPOTS = {  # (N, D) -> (positions, columns) of each public encoding case
    (20, 8): ([1, 1, 3, 3, 7, 7, 19, 19, 12, 12], [0, 1, 2, 3, 4, 5, 6, 7, 2, 7]),
    (64, 32): ([1, 2, 5, 5, 11, 11, 40, 63, 63, 30], [0, 1, 6, 7, 14, 15, 30, 31, 16, 9]),
}
PUBLIC_ROTATION_PAIRS = {32: [0, 1, 2, 5, 9, 15], 6: [0, 1, 2]}  # dim -> the blocks checked


def public_tables() -> tuple[dict, dict]:
    spots = {key: encoding_spots(*key, *where) for key, where in PUBLIC_SPOTS.items()}
    rotations = {
        D: rotation_spots(D, public.ROTATION_OFFSETS[D], pairs) for D, pairs in PUBLIC_ROTATION_PAIRS.items()
    }
    return spots, rotations


def _literal(value, indent: int = 0) -> str:
    """Python source of a table, with the catalogue's constants as keys and one line per row."""
    names = {v: k for k, v in vars(public).items() if k.startswith(("M_", "R_", "T_")) and isinstance(v, str)}
    pad = "    " * indent
    if isinstance(value, dict):
        items = [f"{pad}    {names.get(k) or repr(k)}: {_literal(v, indent + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value and isinstance(value[0], list):
        return "[\n" + "\n".join(f"{pad}    {_literal(r, indent + 1)}," for r in value) + f"\n{pad}]"
    return repr(value)


if __name__ == "__main__":
    spots, rotations = public_tables()
    print(f"SPOTS: dict[tuple[int, int], dict] = {_literal(spots)}")
    print(f"ROTATION_SPOTS: dict[int, dict] = {_literal(rotations)}")
