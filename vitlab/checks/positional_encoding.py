"""Checks for notebook 2 (sinusoidal positional encoding): invariants, literal spot values, named mistakes.

Letters used in shape comments (the course's letters): N positions (one per token), D encoding width
(even), i the index of a (sin, cos) pair, k an offset between positions, h x w a grid of patches
(P stays the patch side, as everywhere), S spot values, K offsets, I pairs.

The closed form of the encoding *is* this notebook's answer, so it is not in this module: the
float64 NumPy formulas are instructor-only (``instructor/positional_encoding.py``, the hidden
cases). What the public checks hold instead:

* invariants any correct encoding has: row 0 is (0, 1, 0, 1, ...), every value lies in [-1, 1],
  each (sin, cos) pair has sin^2 + cos^2 = 1, the dot product of two rows depends only on their
  offset; a rotation R(k) is block-diagonal with 2x2 rotations, R(0) is the identity;
* literal spot values per public case, and the same spots for the catalogued mistakes (numbers,
  not formulas), generated once from the instructor's closed form and kept equal to it by
  tests/test_checks_positional_encoding.py.

Each exercise is also vectorised: its ``Exercise.scratch`` forbids no built-in, but runs the
answer at a few sizes (lines and torch calls that grow with the size are a Python loop) and reads
its code for what would hide a loop from that run (``sys.settrace``, ``torch._C``, ``getattr``
with a computed name, the harness, ...).

Each judge takes its expected values from a table (:class:`EncodingTable`, :class:`RotationTable`):
the public cases build it from the literals, the hidden ones from the closed form, so both say the
same things in the same words. How the student's code is called lives in
:mod:`vitlab.harness.calls.positional_encoding`.
"""

# ruff: noqa: E501  (the literal spot tables below are one line per row)
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from vitlab.checks import core, messages
from vitlab.checks.core import Case, Exercise, Inputs, Outcome, Scratch, Verdict
from vitlab.harness.calls import positional_encoding as calls

# --------------------------------------------------------------------------------------------------
# The catalogue (names and fixes)

M_SWAP = "sin and cos swapped (cos on the even indices, sin on the odd ones)"
M_PAIR_INDEX = "the exponent uses the pair index i instead of 2i"
M_COLUMN_INDEX = (
    "the exponent uses the column index instead of 2*floor(i/2) (each cos gets the next frequency)"
)
M_BASE = "wrong base (it must be 10000)"
M_START1 = "positions start at 1 instead of 0"
M_HALVES = "sin and cos halves concatenated instead of interleaved"
M_INTDIV = "integer division: the exponent 2i/d became 0, so every frequency is 1"
M_INVERTED = "inverted frequencies: 10000^(2i/D) instead of 1 / 10000^(2i/D)"
M_DOUBLED_EXPONENT = "the exponent is 4i/D: torch.arange(0, D, 2) already counts 2i, and it was doubled again"
M_FLOAT64 = "the result is float64, not float32"
M_NO_COS = "sin on every column: the cosines (odd columns) are missing"
M_POSITIONS_SCALED = "positions scaled (e.g. linspace(0, 1, N) or p / N) instead of 0, 1, 2, ..."
M_DIM_MINUS_ONE = "the exponent divides by D - 1 instead of D"
NOT_A_TENSOR = "the result is not a torch.Tensor"

R_BACKWARD = "the map rotates the wrong way (it takes position p to p - k)"
R_NO_FREQUENCY = "every block turns by the offset k itself, not by k times its pair's frequency"
R_ABS_OFFSET = "the offset's sign dropped (abs(offset)): a negative offset turns forward"
R_OUTSIDE_BLOCKS = "non-zero entries outside the 2x2 diagonal blocks"
R_NO_SINES = "the sines are missing: only cosines on the diagonal"

T_SWAPPED = "rows and columns swapped (the column encoding fills the first half)"
T_COLUMN_MAJOR = "patches numbered column-major (down the first column first)"
T_INTERLEAVED = "row and column values interleaved feature by feature instead of the two halves"
T_RASTER = "the 1-D encoding of the raster number n in both halves instead of its row's and column's"

FIXES = {
    M_SWAP: "column 2i holds sin(p * w_i) and column 2i + 1 holds cos(p * w_i): row 0 must read 0, 1, 0, 1, ...",
    M_PAIR_INDEX: "pair i (columns 2i and 2i + 1) has frequency w_i = 1 / 10000^(2i / D): the exponent is 2i/D, "
    "which runs from 0 up to nearly 1.",
    M_COLUMN_INDEX: "both columns of a pair share one frequency: for column c use the even index 2 * (c // 2), "
    "e.g. torch.arange(0, D, 2) for the exponents, then fill columns 0::2 and 1::2.",
    M_BASE: "the base is 10000 (careful: 10e4 is 100000; write 10000.0 or 1e4).",
    M_START1: "the first position is 0: use torch.arange(N), not torch.arange(1, N + 1).",
    M_HALVES: "interleave: sin goes into columns 0, 2, 4, ... and cos into 1, 3, 5, ... (pe[:, 0::2] and "
    "pe[:, 1::2]), not sin in the first half and cos in the second.",
    M_INTDIV: "compute the exponent in floating point: torch.arange(0, D, 2) / D (true division), not // "
    "and not integer tensors.",
    M_INVERTED: "w_i = 1 / 10000^(2i/D) = 10000^(-2i/D) is at most 1: pair 0 turns fastest (one radian per "
    "position) and the last pair slowest. Divide the positions by 10000^(2i/D), or multiply by "
    "10000^(-2i/D) (a minus sign in the exponent, or in front of log(10000)).",
    M_DOUBLED_EXPONENT: "the exponents are 2i/D for i = 0, ..., D/2 - 1: torch.arange(0, D, 2) / D as it is, "
    "or 2 * torch.arange(D // 2) / D, not both.",
    M_FLOAT64: "the text asks for a float32 tensor (PyTorch's default dtype): compute in float64 if you like, "
    "then convert at the end with .float().",
    NOT_A_TENSOR: "return a torch.Tensor: build it with torch functions, or convert a NumPy array with "
    "torch.from_numpy(array).float().",
    R_BACKWARD: "R(k) must satisfy R(k) @ PE[p] = PE[p + k]: in each 2x2 block the top row is (cos, sin) and the "
    "bottom row (-sin, cos), by sin(a + b) = sin a cos b + cos a sin b.",
    R_NO_FREQUENCY: "pair i turns by the angle k * w_i with w_i = 1 / 10000^(2i / D): a different angle in "
    "every block.",
    T_SWAPPED: "the first D/2 columns encode the row r = n // w, the last D/2 the column c = n % w.",
    T_INTERLEAVED: "concatenate, do not stack: torch.cat([row_part, column_part], dim=-1) puts the row's D/2 "
    "values first and the column's after them (torch.stack(..., dim=-1) interleaves them).",
    T_RASTER: "patch n sits in row r = n // w and column c = n % w: encode r with the first half and c with "
    "the second, each with sinusoidal_encoding(·, D / 2).",
    M_NO_COS: "column 2i holds sin(p * w_i) and column 2i + 1 holds cos(p * w_i) of the same angle.",
    M_POSITIONS_SCALED: "the positions are the token indices 0, 1, ..., N - 1 (torch.arange(N)): pair i turns by "
    "exactly w_i per position.",
    M_DIM_MINUS_ONE: "the exponent is 2i / D with the full width D: 10000^(-2i/D), so the last pair stops "
    "short of 1 / 10000.",
    R_ABS_OFFSET: "keep the sign: R(-k) turns every block back by k * w_i (sin(-t) = -sin t), so R(-k) is the "
    "transpose of R(k).",
    R_OUTSIDE_BLOCKS: "only the 2x2 diagonal blocks (rows and columns 2i, 2i + 1) hold values: build the blocks "
    "and place them with torch.block_diag, or index each block's four entries; torch.diag(s, 1) also fills the "
    "entries between neighbouring blocks.",
    R_NO_SINES: "each block is [[cos t, sin t], [-sin t, cos t]]: put sin t above and -sin t below the "
    "diagonal of every block.",
    T_COLUMN_MAJOR: "patch n sits in row n // w and column n % w (row-major, as in notebook 1).",
}
ENCODING_MISTAKES = (
    M_SWAP,
    M_PAIR_INDEX,
    M_COLUMN_INDEX,
    M_BASE,
    M_START1,
    M_HALVES,
    M_INTDIV,
    M_INVERTED,
    M_DOUBLED_EXPONENT,
)

SPOT_TOL = 2e-5
#: what float32 rounding of an angle (and of its frequency) costs its sine, per radian: a mistake's
#: value at an angle t is compared only where t * ANGLE_ERROR stays within the tolerance (None in
#: the tables otherwise), so that a mistake computed in float32 is still recognised
ANGLE_ERROR = 4e-7

# --------------------------------------------------------------------------------------------------
# Literal spot values (generated by instructor.positional_encoding.encoding_spots / rotation_spots;
# do not edit by hand: tests/test_checks_positional_encoding.py compares them with the closed form)

# fmt: off
SPOTS: dict[tuple[int, int], dict] = {
    (20, 8): {
        'positions': [1, 1, 3, 3, 7, 7, 19, 19, 12, 12],
        'columns': [0, 1, 2, 3, 4, 5, 6, 7, 2, 7],
        'expected': [0.841470984808, 0.540302305868, 0.295520206661, 0.955336489126, 0.0699428473375, 0.997551000253, 0.018998856854, 0.99981950543, 0.932039085967, 0.999928000864],
        'frequencies': [1.0, 0.1, 0.01, 0.001],
        'mistakes': {
            M_SWAP: [
                [0.540302305868, 0.841470984808, 0.955336489126, 0.295520206661, 0.997551000253, 0.0699428473375, 0.99981950543, 0.018998856854, 0.362357754477, 0.0119997120021],
            ],
            M_PAIR_INDEX: [
                [0.841470984808, 0.540302305868, 0.812648896642, 0.582753610702, 0.644217687238, 0.764842187284, 0.565329580248, 0.8248651197, -0.607683549065, 0.928859863447],
            ],
            M_COLUMN_INDEX: [
                [0.841470984808, 0.950415280255, 0.295520206661, 0.995503373988, 0.0699428473375, 0.999755010004, 0.018998856854, 0.999981950054, 0.932039085967, 0.999992800009],
            ],
            M_START1: [
                [0.909297426826, -0.416146836547, 0.389418342309, 0.921060994003, 0.0799146939692, 0.996801706303, 0.0199986666933, 0.999800006667, 0.963558185417, 0.99991550119],
            ],
            M_HALVES: [
                [0.841470984808, 0.0998334166468, 0.0299955002025, 0.0029999955, 0.753902254343, 0.764842187284, 0.982004235117, 0.99981950543, 0.119712207289, 0.999928000864],
            ],
            M_INTDIV: [
                [0.841470984808, 0.540302305868, 0.14112000806, -0.9899924966, 0.656986598719, 0.753902254343, 0.149877209663, 0.988704618187, -0.536572918, 0.843853958732],
            ],
            M_INVERTED: [
                [0.841470984808, 0.540302305868, -0.988031624093, 0.154251449888, None, None, None, None, None, None],
            ],
            M_DOUBLED_EXPONENT: [
                [0.841470984808, 0.540302305868, 0.0299955002025, 0.999550033749, 0.000699999942833, 0.999999755, 1.89999999989e-05, 0.99999999982, 0.119712207289, 0.999999999928],
            ],
            M_BASE: [
                [0.841470984808, 0.540302305868, 0.50853613442, 0.861040649441, 0.219556091352, 0.975599878408, 0.106641680814, 0.994297516799, 0.845583564692, 0.997724023954],
                [0.841470984808, 0.540302305868, 0.167903309792, 0.985803468527, 0.0221341358967, 0.999755010004, 0.00337872445058, 0.999994292094, 0.624748651168, 0.999997723161],
            ],
        },
    },
    (64, 32): {
        'positions': [1, 2, 5, 5, 11, 11, 40, 63, 63, 30],
        'columns': [0, 1, 6, 7, 14, 15, 30, 31, 16, 9],
        'expected': [0.841470984808, -0.416146836547, 0.776529980028, 0.630080304499, 0.194365659039, 0.980929146568, 0.00711305765723, 0.999937245256, 0.589144757942, -0.9899924966],
        'frequencies': [1.0, 0.56234132519, 0.316227766017, 0.177827941004, 0.1, 0.056234132519, 0.0316227766017, 0.0177827941004, 0.01, 0.0056234132519, 0.00316227766017, 0.00177827941004, 0.001, 0.00056234132519, 0.000316227766017, 0.000177827941004],
        'mistakes': {
            M_SWAP: [
                [0.540302305868, 0.909297426826, 0.630080304499, 0.776529980028, 0.980929146568, 0.194365659039, 0.999974701885, 0.0112029259318, 0.808027508312, 0.14112000806],
            ],
            M_PAIR_INDEX: [
                [0.841470984808, -0.416146836547, 0.858895997159, -0.51215004253, 0.994604889064, 0.103735792518, 0.508471339545, 0.66737457926, 0.0168139004843, -0.998075205053],
            ],
            M_COLUMN_INDEX: [
                [0.841470984808, 0.0709482514038, 0.776529980028, 0.785829099983, 0.194365659039, 0.98926068695, 0.00711305765723, 0.999964710253, 0.589144757942, -0.627926652442],
            ],
            M_START1: [
                [0.909297426826, -0.9899924966, 0.87574056689, 0.482781999979, 0.211777669633, 0.977317869807, 0.00729088098612, 0.999935237253, 0.597195441362, -0.999135150273],
            ],
            M_HALVES: [
                [0.841470984808, 0.902130714964, 0.157455898182, 0.0887968623598, 0.0034784984112, 0.00195610610358, 0.999920001067, 0.999937245256, None, 0.167903309792],
            ],
            M_INTDIV: [
                [0.841470984808, -0.416146836547, -0.958924274663, 0.283662185463, -0.999990206551, 0.00442569798805, 0.745113160479, None, None, 0.154251449888],
            ],
            M_INVERTED: [
                [0.841470984808, -0.416146836547, 0.156620137916, -0.98765891501, None, None, None, None, None, None],
            ],
            M_DOUBLED_EXPONENT: [
                [0.841470984808, -0.416146836547, 0.157455898182, 0.987526019975, 0.0034784984112, 0.999993950006, 1.26491106407e-06, 0.999999999998, 0.00629995832558, 0.955336489126],
            ],
            M_BASE: [
                [0.841470984808, -0.416146836547, 0.979750153741, 0.200223965212, 0.510412384151, 0.859929763472, 0.0615581165244, 0.995297698782, 0.91250139184, 0.583026807373],
                [0.841470984808, -0.416146836547, 0.545839736634, 0.837889600074, 0.0713712476942, 0.997449820794, 0.000821409918213, 0.999999163143, 0.197908242017, -0.11596614151],
            ],
        },
    },
}
ROTATION_SPOTS: dict[int, dict] = {
    32: {
        'offsets': [1, 3, 10, -4],
        'pairs': [0, 1, 2, 5, 9, 15],
        'cos': [
            [0.540302305868, 0.846009110282, 0.950415280255, 0.998419277793, 0.999984188653, 0.999999984189],
            [-0.9899924966, -0.11596614151, 0.582753610702, 0.985803468527, 0.99985770088, 0.999999857698],
            [-0.839071529076, 0.790131967724, -0.999786072879, 0.846009110282, 0.998419277793, 0.999998418862],
            [-0.653643620864, -0.627679653763, 0.301137462585, 0.974808265649, 0.999747028454, 0.999999747018],
        ],
        'sin': [
            [0.841470984808, 0.533168439914, 0.310983592907, 0.0562044992147, 0.00562338361396, 0.000177827940067],
            [0.14112000806, 0.993253167135, 0.812648896642, 0.167903309792, 0.0168694395414, 0.000533483797706],
            [-0.544021110889, -0.612936761485, -0.0206835315296, 0.533168439914, 0.0562044992147, 0.0017782784728],
            [0.756802495308, -0.77847174146, -0.953580740487, -0.223044491575, -0.0224917562242, -0.000711311704032],
        ],
        'mistakes': {
            M_INVERTED: {
                'cos': [
                    [0.540302305868, -0.205997619765, -0.999786072879, 0.482962238943, None, None],
                    [-0.9899924966, 0.583026807373, -0.998075205053, None, None, None],
                    [-0.839071529076, 0.482962238943, 0.97868269656, None, None, None],
                    [-0.653643620864, 0.674925692146, 0.996578996348, None, None, None],
                ],
                'sin': [
                    [0.841470984808, 0.978552492537, -0.0206835315296, -0.875641179796, None, None],
                    [0.14112000806, -0.812452916718, -0.0620152002283, None, None, None],
                    [-0.544021110889, -0.875641179796, 0.205378137722, None, None, None],
                    [0.756802495308, -0.737885702586, -0.0826456534677, None, None, None],
                ],
            },
            M_PAIR_INDEX: {
                'cos': [
                    [0.540302305868, 0.731760975799, 0.846009110282, 0.972014448574, 0.997189610743, 0.999911087347],
                    [-0.9899924966, -0.627926652442, -0.11596614151, 0.757440658094, 0.974801187349, 0.999199880987],
                    [-0.839071529076, 0.347627440116, 0.790131967724, -0.717758235036, 0.731760975799, 0.991121771299],
                    [-0.653643620864, -0.989932691245, -0.627679653763, 0.582862350735, 0.955348993582, 0.99857771375],
                ],
                'sin': [
                    [0.841470984808, 0.681561350355, 0.533168439914, 0.234921075604, 0.0749191579415, 0.0133348190962],
                    [0.14112000806, 0.77827252242, 0.993253167135, 0.652904012445, 0.223075424784, 0.0399949726371],
                    [-0.544021110889, 0.937632744137, -0.612936761485, 0.696292406994, 0.681561350355, 0.13295726553],
                    [0.756802495308, -0.141538923281, -0.77847174146, -0.812570907734, -0.295479780123, -0.0533155662319],
                ],
            },
        },
    },
    6: {
        'offsets': [2, -7, 25],
        'pairs': [0, 1, 2],
        'cos': [
            [-0.416146836547, 0.995694224124, 0.999990716837],
            [0.753902254343, 0.94767907144, 0.999886283229],
            [0.991202811863, 0.398975336014, 0.998549854112],
        ],
        'sin': [
            [0.909297426826, 0.0926985007787, 0.00430885604674],
            [-0.656986598719, -0.319224650606, -0.0150804711701],
            [-0.132351750098, 0.91696165746, 0.0538348293612],
        ],
        'mistakes': {
            M_INVERTED: {
                'cos': [
                    [-0.416146836547, 0.626607885268, None],
                    [0.753902254343, None, None],
                    [0.991202811863, None, None],
                ],
                'sin': [
                    [0.909297426826, -0.779334689411, None],
                    [-0.656986598719, None, None],
                    [-0.132351750098, None, None],
                ],
            },
            M_PAIR_INDEX: {
                'cos': [
                    [-0.416146836547, 0.908595653642, 0.995694224124],
                    [0.753902254343, 0.0626509854986, 0.94767907144],
                    [0.991202811863, 0.623880107374, 0.398975336014],
                ],
                'sin': [
                    [0.909297426826, 0.417676834626, 0.0926985007787],
                    [-0.656986598719, -0.998035497373, -0.319224650606],
                    [-0.132351750098, -0.78152006476, 0.91696165746],
                ],
            },
        },
    },
}
# fmt: on

# --------------------------------------------------------------------------------------------------
# What came back: a tensor of the right shape and dtype, or a clear message


def returned_type(outcome: Outcome, key: str) -> str | None:
    """The type's name of a value the student returned instead of a tensor (None for a tensor)."""
    raw = outcome.tensors.get(key + calls.TYPE_SUFFIX)
    if raw is None:
        return None
    return bytes(raw.to(torch.uint8).tolist()).decode("ascii", "replace") or "non-tensor"


Problem = tuple[str, "str | None"]  # (message, the catalogued mistake it is, if any)


def tensor_problem(
    outcome: Outcome, key: str, call: str, shape: Sequence[int], dtype: torch.dtype | None = torch.float32
) -> Problem | None:
    """Why ``outcome.tensors[key]`` (what ``call`` returned) is not a tensor of ``shape`` and ``dtype``."""
    type_name = returned_type(outcome, key)
    if type_name is not None:
        return (
            f"{call} returned a {type_name}, not a torch.Tensor.\nFix: {FIXES[NOT_A_TENSOR]}",
            NOT_A_TENSOR,
        )
    got = outcome.tensors.get(key)
    if got is None:
        raise KeyError(f"the harness returned no {key}")
    if tuple(got.shape) != tuple(shape):
        shaped = core.shape_mistake(call, shape, got)
        if shaped is not None:
            return messages.mistake(*shaped) + "\n" + messages.shape(f"{call}", shape, got.shape), shaped[0]
        return messages.shape(f"{call}", shape, got.shape), None
    if dtype is not None and got.dtype != dtype:
        if got.dtype == torch.float64 and dtype == torch.float32:
            return f"{call}: {messages.mistake(M_FLOAT64, FIXES[M_FLOAT64])}", M_FLOAT64
        return messages.dtype(call, dtype, got.dtype), None
    if not got.is_floating_point():
        return messages.dtype(call, torch.float32, got.dtype), None
    if not torch.isfinite(got).all():
        index = tuple(int(i) for i in (~torch.isfinite(got)).nonzero()[0])
        return (
            f"{call} holds {got[index].item()} at {index}: every value should be a finite sine or cosine",
            None,
        )
    return None


def invalid_case(name: str, inputs: Callable[[], Inputs]) -> Case:
    """A case whose inputs are invalid: the student's code must raise a ValueError (``judged`` checks it)."""

    def unreachable(check: str, _: Inputs, __: Outcome) -> Verdict:
        return Verdict(
            False,
            check,
            messages.checker_failed(LookupError("an error case reached its judge")),
            checker_error=True,
        )

    return Case(name, inputs, expect_error=ValueError, judge=unreachable)


def _verdict(check: str, problem: Problem) -> Verdict:
    return Verdict(False, check, problem[0], mistake=problem[1])


def _agrees(mine: torch.Tensor, candidate: torch.Tensor, expected: torch.Tensor, atol: float) -> bool:
    """``mine`` matches a mistake's values wherever the mistake's table has a number (NaN: not compared),
    and at least one of those values tells the mistake apart from the right answer."""
    kept = ~torch.isnan(candidate)
    telling = kept & ((candidate - expected).abs() > atol)
    return bool(telling.any()) and bool(((mine - candidate).abs()[kept] <= atol).all())


# --------------------------------------------------------------------------------------------------
# Exercise 1: sinusoidal_encoding


@dataclass(frozen=True)
class EncodingTable:
    """What an encoding (N, D) must hold at some spots, and what each catalogued mistake holds there."""

    positions: list[int]
    columns: list[int]
    expected: torch.Tensor  # (S,) float64
    mistakes: dict[str, list[torch.Tensor]]  # name -> candidate values (S,), NaN where not compared
    frequencies: torch.Tensor | None  # (D/2,) the pairs' w_i
    atol: float


def _nan(values: Sequence[float | None]) -> torch.Tensor:
    return torch.tensor([float("nan") if v is None else v for v in values], dtype=torch.float64)


def spot_table(inputs: Inputs) -> EncodingTable:
    """The public table of a case, from the literals."""
    table = SPOTS[(inputs["num_positions"], inputs["dim"])]
    return EncodingTable(
        table["positions"],
        table["columns"],
        _nan(table["expected"]),
        {name: [_nan(row) for row in rows] for name, rows in table["mistakes"].items()},
        _nan(table["frequencies"]),
        SPOT_TOL,
    )


def invariant_problems(pe: torch.Tensor) -> list[str]:
    """What is wrong with ``pe`` (N, D) that no correct sinusoidal encoding would show."""
    pe = pe.double()
    N, D = pe.shape
    problems = []
    row0 = torch.tensor([0.0, 1.0], dtype=torch.float64).repeat(D // 2)
    if not torch.allclose(pe[0], row0, atol=1e-6):
        start = ", ".join(messages.number(round(v, 4)) for v in pe[0, :6].tolist())
        problems.append(
            f"row 0 (position 0) should be 0, 1, 0, 1, ... (sin 0 = 0, cos 0 = 1); yours starts {start}"
        )
    if pe.abs().max() > 1 + 1e-6:
        problems.append(
            f"values should lie in [-1, 1] (sines and cosines); yours reach "
            f"{messages.number(pe.abs().max().item())}"
        )
    norms = pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2  # (N, D/2): sin^2 + cos^2 of each pair
    if not torch.allclose(norms, torch.ones_like(norms), atol=1e-5):
        p, i = (int(v) for v in ((norms - 1).abs() > 1e-5).nonzero()[0])
        problems.append(
            f"columns {2 * i} and {2 * i + 1} should hold sin and cos of the same angle "
            f"(sin^2 + cos^2 = 1), but at position {p} they give {messages.number(norms[p, i].item())}"
        )
    gram = pe @ pe.T  # (N, N): dot products of positions
    if N > 2 and not problems and not torch.allclose(gram[1:, 1:], gram[:-1, :-1], atol=1e-4):
        p, q = (int(v) for v in ((gram[1:, 1:] - gram[:-1, :-1]).abs() > 1e-4).nonzero()[0])
        problems.append(
            f"the dot product PE[p] . PE[q] should depend only on the offset q - p, but "
            f"PE[{p + 1}] . PE[{q + 1}] = {messages.number(gram[p + 1, q + 1].item())} while "
            f"PE[{p}] . PE[{q}] = {messages.number(gram[p, q].item())}"
        )
    return problems


def frequency_problem(pe: torch.Tensor, frequencies: torch.Tensor) -> str | None:
    """The first pair whose angle grows by the wrong amount per position (read off position 1)."""
    if pe.shape[0] < 2:
        return None
    pe = pe.double()
    mine = torch.atan2(pe[1, 0::2], pe[1, 1::2])  # (D/2,): the angle of position 1 is w_i itself (w_i <= 1)
    wrong = ~torch.isclose(mine, frequencies, rtol=1e-4, atol=1e-6)
    if not wrong.any():
        return None
    i = int(wrong.nonzero()[0])
    return (
        f"pair {i} (columns {2 * i} and {2 * i + 1}) should turn by w_{i} = 1 / 10000^({2 * i}/{pe.shape[1]}) "
        f"= {messages.number(frequencies[i].item())} radians per position; from position 0 to 1 yours turns "
        f"by {messages.number(mine[i].item())}"
    )


def encoding_judge(table_of: Callable[[Inputs], EncodingTable]):
    """The judge of one encoding case: type, shape and dtype, then the table's values (naming the
    mistake they match), then the property that is broken."""

    def judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
        N, D = inputs["num_positions"], inputs["dim"]
        problem = tensor_problem(outcome, "encoding", f"sinusoidal_encoding({N}, {D})", (N, D))
        if problem is not None:
            return _verdict(check, problem)
        pe = outcome.tensors["encoding"].double()  # (N, D)
        table = table_of(inputs)
        mine = pe[table.positions, table.columns]  # (S,)
        bad = (mine - table.expected).abs() > table.atol
        if not bad.any():
            problems = invariant_problems(pe)
            return Verdict(not problems, check, "\n".join(problems))
        for name, candidates in table.mistakes.items():
            if any(_agrees(mine, c, table.expected, table.atol) for c in candidates):
                return Verdict(False, check, messages.mistake(name, FIXES[name]), mistake=name)
        found = invariant_problems(pe)
        if not found and table.frequencies is not None:
            found = [p for p in [frequency_problem(pe, table.frequencies)] if p]
        named = _encoding_property(pe, table.frequencies)
        if named is not None:
            found.insert(0, messages.mistake(named, FIXES[named]))
        j = int(bad.nonzero()[0])
        p, c = table.positions[j], table.columns[j]
        first = (
            f"PE[{p}, {c}] should be {messages.number(table.expected[j].item())}, yours is "
            f"{messages.number(mine[j].item())} ({int(bad.sum())} of {bad.numel()} values checked differ, "
            f"tolerance {table.atol:.2g})"
        )
        return Verdict(False, check, "\n".join([*found, first]), mistake=named)

    return judge


def _encoding_property(pe: torch.Tensor, frequencies: torch.Tensor | None) -> str | None:
    """The mistake a wrong encoding's properties show: no cosine at position 0, or every pair's angle per
    position off by one factor (scaled positions) or by one power (the exponent over D - 1)."""
    N, D = pe.shape
    if pe[0].abs().max() < 1e-6 and pe.abs().max() > 0.1:
        return M_NO_COS
    if frequencies is None or N < 2 or invariant_problems(pe):
        return None
    mine = torch.atan2(pe[1, 0::2], pe[1, 1::2])  # (D/2,): the angle each pair turns from position 0 to 1
    ratio = mine / frequencies
    if not torch.isclose(ratio[0], torch.ones((), dtype=ratio.dtype), rtol=1e-3) and torch.allclose(
        ratio, ratio[0].expand_as(ratio), rtol=1e-3
    ):
        return M_POSITIONS_SCALED
    if D >= 4 and (mine[1:] > 0).all():
        power = mine[1:].log() / frequencies[1:].log()  # (D/2 - 1,): mine = frequencies ** power
        if torch.allclose(power, torch.full_like(power, D / (D - 1)), rtol=1e-3):
            return M_DIM_MINUS_ONE
    return None


def encoding_case(N: int, D: int) -> Case:
    return Case(
        f"{N} positions, dim {D}", lambda: {"num_positions": N, "dim": D}, judge=encoding_judge(spot_table)
    )


#: (name, num_positions, dim): sizes at which vectorised code runs the same lines and torch calls
ENCODING_SIZES = [("N=4, D=8", 4, 8), ("N=16, D=8", 16, 8), ("N=4, D=32", 4, 32)]
LOOP_FIX = (
    "build index tensors with torch.arange and let broadcasting do the rest (no for loop, no comprehension)."
)
#: the name of each exercise's loop check; the code half adds "(your code)": no construct that hides a
#: loop from the run (sys.settrace, torch._C, getattr with a computed name, the harness, ...)
VECTORISED = "vectorised (no Python loops)"

SINUSOIDAL = Exercise(
    "test_sinusoidal",
    "sinusoidal_encoding",
    ("sinusoidal_encoding",),
    calls.encoding,
    None,
    public=[
        encoding_case(20, 8),
        encoding_case(64, 32),
        invalid_case("an odd dim (7) cannot hold (sin, cos) pairs", lambda: {"num_positions": 10, "dim": 7}),
        invalid_case("zero positions", lambda: {"num_positions": 0, "dim": 8}),
    ],
    scratch=Scratch(
        (),
        calls.encoding_scratch,
        lambda: {"runs": [(N, D) for _, N, D in ENCODING_SIZES]},
        (),
        tuple(s[0] for s in ENCODING_SIZES),
        "positions or dimensions",
        LOOP_FIX,
        VECTORISED,
    ),
    structural=[*ENCODING_MISTAKES, M_FLOAT64, NOT_A_TENSOR, M_NO_COS, M_POSITIONS_SCALED, M_DIM_MINUS_ONE],
)


# --------------------------------------------------------------------------------------------------
# Exercise 2: the offset as a rotation


@dataclass(frozen=True)
class RotationTable:
    """The (cos, sin) that chosen blocks of R(k) must hold for each nonzero offset, and each mistake's."""

    offsets: list[int]  # (K,) nonzero offsets
    pairs: list[int]  # (I,)
    cos: torch.Tensor  # (K, I) float64
    sin: torch.Tensor  # (K, I)
    mistakes: dict[str, tuple[torch.Tensor, torch.Tensor]]  # name -> (cos, sin), NaN where not compared
    atol: float


def rotation_spot_table(inputs: Inputs) -> RotationTable:
    table = ROTATION_SPOTS[inputs["dim"]]
    cos = torch.tensor(table["cos"], dtype=torch.float64)  # (K, I)
    sin = torch.tensor(table["sin"], dtype=torch.float64)
    offsets = torch.tensor(table["offsets"], dtype=torch.float64)[:, None]  # (K, 1)
    mistakes = {
        name: (torch.stack([_nan(r) for r in m["cos"]]), torch.stack([_nan(r) for r in m["sin"]]))
        for name, m in table["mistakes"].items()
    }
    mistakes[R_BACKWARD] = (cos, -sin)  # R(-k): every block turned the other way
    mistakes[R_NO_FREQUENCY] = (offsets.cos().expand_as(cos), offsets.sin().expand_as(sin))
    mistakes[R_ABS_OFFSET] = (cos, sin * offsets.sign())  # R(|k|): the negative offsets turn forward
    return RotationTable(table["offsets"], table["pairs"], cos, sin, mistakes, SPOT_TOL)


def _blocks(M: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The four entries of every 2x2 diagonal block of M (D, D): top-left, top-right, bottom-left, bottom-right."""
    even = torch.arange(0, M.shape[0], 2)
    return M[even, even], M[even, even + 1], M[even + 1, even], M[even + 1, even + 1]  # 4 x (D/2,)


def structure_problem(M: torch.Tensor, k: int) -> str | None:
    """Why the map ``M`` (D, D) for offset k is not block-diagonal with 2x2 rotations (or not I for k = 0)."""
    D = M.shape[0]
    call = f"rotation_for_offset({k}, {D})"
    if k == 0 and not torch.allclose(M, torch.eye(D, dtype=M.dtype), atol=1e-6):
        return f"{call} should be the identity matrix (PE[p + 0] = PE[p]): yours is not"
    blocks = torch.block_diag(*[torch.ones(2, 2)] * (D // 2)).bool()  # (D, D)
    outside = M.abs().masked_fill(blocks, 0.0)
    if outside.max() > 1e-6:
        r, c = (int(v) for v in (outside > 1e-6).nonzero()[0])
        return (
            f"{call} should be block-diagonal, one 2x2 block per (sin, cos) pair; yours has "
            f"{messages.number(M[r, c].item())} at row {r}, column {c}, outside the blocks"
        )
    a, b, c, d = _blocks(M)
    wrong = ((a - d).abs() > 1e-5) | ((b + c).abs() > 1e-5) | ((a**2 + b**2 - 1).abs() > 1e-4)
    if wrong.any():
        i = int(wrong.nonzero()[0])
        e = [messages.number(round(v[i].item(), 6)) for v in (a, b, c, d)]
        return (
            f"{call}: block {i} (rows and columns {2 * i}, {2 * i + 1}) should be a rotation "
            f"[[cos t, sin t], [-sin t, cos t]]; yours is [[{e[0]}, {e[1]}], [{e[2]}, {e[3]}]]"
        )
    return None


def _structure_mistake(M: torch.Tensor) -> str | None:
    """The mistake a map that is not block-diagonal with 2x2 rotations shows, if a typical one."""
    blocks = torch.block_diag(*[torch.ones(2, 2)] * (M.shape[0] // 2)).bool()  # (D, D)
    if M.abs().masked_fill(blocks, 0.0).max() > 1e-6:
        return R_OUTSIDE_BLOCKS
    a, b, c, d = _blocks(M)
    if b.abs().max() < 1e-6 and c.abs().max() < 1e-6 and (a - 1).abs().max() > 1e-6:
        return R_NO_SINES
    return None


def rotation_judge(table_of: Callable[[Inputs], RotationTable]):
    """The judge of one rotation case: every map a float32 (D, D) tensor, block-diagonal with 2x2
    rotations, then each block's angle against the table (naming the mistake it matches)."""

    def judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
        D, offsets = inputs["dim"], inputs["offsets"]
        maps: dict[int, torch.Tensor] = {}
        for index, k in enumerate(offsets):
            problem = tensor_problem(outcome, f"map{index}", f"rotation_for_offset({k}, {D})", (D, D))
            if problem is not None:
                return _verdict(check, problem)
            maps[k] = outcome.tensors[f"map{index}"].double()
            found = structure_problem(maps[k], k)
            if found is not None:
                named = _structure_mistake(maps[k])
                if named is not None:
                    found = messages.mistake(named, FIXES[named]) + "\n" + found
                return Verdict(False, check, found, mistake=named)
        table = table_of(inputs)
        pairs = torch.tensor(table.pairs)
        even = 2 * pairs
        cos = torch.stack([maps[k][even, even] for k in table.offsets])  # (K, I)
        sin = torch.stack([maps[k][even, even + 1] for k in table.offsets])
        bad = ((cos - table.cos).abs() > table.atol) | ((sin - table.sin).abs() > table.atol)
        if not bad.any():
            return Verdict(True, check)
        for name, (c, s) in table.mistakes.items():
            if _agrees(
                torch.cat([cos, sin]), torch.cat([c, s]), torch.cat([table.cos, table.sin]), table.atol
            ):
                return Verdict(False, check, messages.mistake(name, FIXES[name]), mistake=name)
        row, column = (int(v) for v in bad.nonzero()[0])
        k, i = table.offsets[row], table.pairs[column]
        want = torch.atan2(table.sin[row, column], table.cos[row, column]).item()
        got = torch.atan2(sin[row, column], cos[row, column]).item()
        return Verdict(
            False,
            check,
            (
                f"R({k}) @ PE[p] should equal PE[p {'-' if k < 0 else '+'} {abs(k)}]: block {i} (columns {2 * i}, "
                f"{2 * i + 1}) should turn by {k} * w_{i} = {k} / 10000^({2 * i}/{D}), that is cos "
                f"{messages.number(table.cos[row, column].item())}, sin {messages.number(table.sin[row, column].item())} "
                f"(an angle of {messages.number(want)} mod 2 pi); yours has cos {messages.number(cos[row, column].item())}, "
                f"sin {messages.number(sin[row, column].item())} (an angle of {messages.number(got)}); "
                f"{int(bad.sum())} of {bad.numel()} blocks checked differ"
            ),
        )

    return judge


#: dim -> the nonzero offsets of a public case (its literal table holds the same)
ROTATION_OFFSETS = {32: [1, 3, 10, -4], 6: [2, -7, 25]}


def rotation_case(D: int) -> Case:
    offsets = [0, *ROTATION_OFFSETS[D]]
    return Case(
        f"offsets {', '.join(map(str, offsets))}, dim {D}",
        lambda: {"dim": D, "offsets": offsets},
        judge=rotation_judge(rotation_spot_table),
    )


#: (name, offset, dim): sizes at which vectorised code runs the same lines and torch calls
ROTATION_SIZES = [("k=3, D=4", 3, 4), ("k=3, D=16", 3, 16), ("k=-5, D=32", -5, 32)]

ROTATION = Exercise(
    "test_rotation",
    "rotation_for_offset",
    ("rotation_for_offset",),
    calls.rotation,
    None,
    public=[
        rotation_case(32),
        rotation_case(6),
    ],
    scratch=Scratch(
        (),
        calls.rotation_scratch,
        lambda: {"runs": [(k, D) for _, k, D in ROTATION_SIZES]},
        (),
        tuple(s[0] for s in ROTATION_SIZES),
        "the (sin, cos) pairs",
        "compute the D/2 angles at once, stack the (D/2, 2, 2) blocks and place them with "
        "torch.block_diag(*blocks) or index tensors (no for loop, no comprehension).",
        VECTORISED,
    ),
    structural=[
        R_BACKWARD,
        R_NO_FREQUENCY,
        M_INVERTED,
        M_FLOAT64,
        NOT_A_TENSOR,
        M_PAIR_INDEX,
        R_ABS_OFFSET,
        R_OUTSIDE_BLOCKS,
        R_NO_SINES,
    ],
)

# --------------------------------------------------------------------------------------------------
# Extension: 2-D encoding of an h x w grid, judged token by token against the student's 1-D encoding

GRID = (4, 20, 16)  # height, width, dim of the public case: the columns' 1-D encoding is a SPOTS case
TOKENS_2D = [0, 1, 19, 20, 21, 42, 59, 77, 79]  # a few patches of the public grid, in every row


def grid_problem(outcome: Outcome, h: int, w: int, D: int) -> Problem | None:
    """Type and shape of the 2-D encoding and of the 1-D encodings it is compared with."""
    for key, call, shape in (
        ("rows", f"sinusoidal_encoding({h}, {D // 2})", (h, D // 2)),
        ("cols", f"sinusoidal_encoding({w}, {D // 2})", (w, D // 2)),
    ):
        problem = tensor_problem(outcome, key, call, shape, dtype=None)
        if problem is not None:
            return f"your {problem[0]}\n(the 2-D check compares with your sinusoidal_encoding)", None
    dtype = outcome.tensors["rows"].dtype
    return tensor_problem(
        outcome, "encoding", f"sinusoidal_encoding_2d({h}, {w}, {D})", (h * w, D), dtype=dtype
    )


def _token_problem(
    enc: torch.Tensor,
    rows: torch.Tensor,
    cols: torch.Tensor,
    w: int,
    tokens: Sequence[int],
    *,
    swap: bool = False,
    column_major_h: int | None = None,
) -> str | None:
    """Check the spot tokens; ``swap`` / ``column_major_h`` re-read them the way a mistake would."""
    half = enc.shape[1] // 2
    h = rows.shape[0]
    for n in tokens:
        r, c = divmod(n, w) if column_major_h is None else (n % column_major_h, n // column_major_h)
        row = (rows[r], f"the encoding of its row, sinusoidal_encoding({h}, {half})[{r}]")
        col = (cols[c], f"the encoding of its column, sinusoidal_encoding({w}, {half})[{c}]")
        for part, (values, what) in zip(("first", "last"), (col, row) if swap else (row, col), strict=True):
            mine = enc[n, :half] if part == "first" else enc[n, half:]
            if not torch.allclose(mine.double(), values.double(), atol=SPOT_TOL, rtol=0):
                return (
                    f"token {n} (row {r}, column {c} of the {h} x {w} grid): its {part} {half} values should "
                    f"be {what}"
                )
    return None


def token_difference(got: torch.Tensor, want: torch.Tensor, w: int, atol: float) -> str:
    """Where a 2-D encoding first differs from the expected one, in grid terms."""
    n, j = (int(v) for v in ((got - want).abs() > atol).nonzero()[0])
    half = got.shape[1] // 2
    r, c = divmod(n, w)
    part = f"its row's encoding (row {r})" if j < half else f"its column's encoding (column {c})"
    return (
        f"token {n} (row {r}, column {c}): value {j}, in {part}, should be {messages.number(want[n, j].item())}, "
        f"yours is {messages.number(got[n, j].item())}"
    )


def _judge_2d(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    h, w, D = inputs["height"], inputs["width"], inputs["dim"]
    problem = grid_problem(outcome, h, w, D)
    if problem is not None:
        return _verdict(check, problem)
    enc, rows, cols = (outcome.tensors[k].double() for k in ("encoding", "rows", "cols"))
    for n, one_d in ((h, rows), (w, cols)):
        if (n, D // 2) in SPOTS:
            inner = encoding_judge(spot_table)(
                check, {"num_positions": n, "dim": D // 2}, Outcome({"encoding": one_d.float()})
            )
            if not inner.passed:
                why = inner.mistake or messages.one_line(inner.message.splitlines()[0])
                return Verdict(
                    False,
                    check,
                    (
                        f"your sinusoidal_encoding({n}, {D // 2}) is not right yet (its own test says: {why}); "
                        "the 2-D encoding is made of it: fix sinusoidal_encoding first."
                    ),
                )
    problem_text = _token_problem(enc, rows, cols, w, TOKENS_2D)
    if problem_text is None:
        return Verdict(True, check)
    for name, kw in ((T_SWAPPED, {"swap": True}), (T_COLUMN_MAJOR, {"column_major_h": h})):
        if _token_problem(enc, rows, cols, w, TOKENS_2D, **kw) is None:
            return Verdict(False, check, messages.mistake(name, FIXES[name]), mistake=name)
    halves = enc.reshape(h * w, D // 2, 2).transpose(1, 2).reshape(h * w, D)  # undo a stack on the last axis
    if _token_problem(halves, rows, cols, w, TOKENS_2D) is None:
        text = messages.mistake(T_INTERLEAVED, FIXES[T_INTERLEAVED]) + "\n" + problem_text
        return Verdict(False, check, text, mistake=T_INTERLEAVED)
    early = [n for n in TOKENS_2D if n < w]  # the 1-D encoding of n is cols[n] for these
    if len(early) > 1 and all(
        torch.allclose(enc[n], torch.cat([cols[n], cols[n]]), atol=SPOT_TOL, rtol=0) for n in early
    ):
        text = messages.mistake(T_RASTER, FIXES[T_RASTER]) + "\n" + problem_text
        return Verdict(False, check, text, mistake=T_RASTER)
    return Verdict(False, check, problem_text)


#: (name, height, width, dim): sizes at which vectorised code runs the same lines and torch calls
GRID_SIZES = [
    ("2x3 grid, D=8", 2, 3, 8),
    ("4x3 grid, D=8", 4, 3, 8),
    ("2x6 grid, D=8", 2, 6, 8),
    ("2x3 grid, D=16", 2, 3, 16),
]
GRID_SCRATCH = Scratch(
    (),
    calls.encoding_2d_scratch,  # the 2-D code's own counts: a loop in sinusoidal_encoding is not blamed here
    lambda: {"runs": [s[1:] for s in GRID_SIZES]},
    (),
    tuple(s[0] for s in GRID_SIZES),
    "the rows, the columns or the tokens of the grid",
    "build the (h, w, D) grid with broadcasting or expand and flatten it (no for loop, no comprehension).",
    VECTORISED,
)


ENCODING_2D = Exercise(
    "test_encoding_2d",
    "sinusoidal_encoding_2d",
    ("sinusoidal_encoding_2d", "sinusoidal_encoding"),
    calls.encoding_2d,
    None,
    public=[
        Case(
            f"a {GRID[0]} x {GRID[1]} grid, dim {GRID[2]}",
            lambda: {"height": GRID[0], "width": GRID[1], "dim": GRID[2]},
            judge=_judge_2d,
        ),
        invalid_case("dim 6 is not a multiple of 4", lambda: {"height": 2, "width": 2, "dim": 6}),
    ],
    scratch=GRID_SCRATCH,
    structural=[T_SWAPPED, T_COLUMN_MAJOR, T_INTERLEAVED, T_RASTER],
)

EXERCISES = [SINUSOIDAL, ROTATION, ENCODING_2D]
