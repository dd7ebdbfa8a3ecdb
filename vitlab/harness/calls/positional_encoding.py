"""Calls for notebook 2 (positional encoding): how the checks call ``sinusoidal_encoding``,
``rotation_for_offset`` and ``sinusoidal_encoding_2d``. No expected values here.

What a function returned is handed back as it is when it is a tensor; anything else (a NumPy
array, a list, a float) comes back as the name of its type, so that the verdict can say "returned a
list, not a torch.Tensor" instead of failing on it.
"""

from __future__ import annotations

from typing import Any

import torch

from vitlab.harness import scratch
from vitlab.harness.wire import Inputs, Tensors

TYPE_SUFFIX = ".type"  # key of the type name of a returned value that is not a tensor


def returned(key: str, value: Any) -> Tensors:
    """``{key: value}`` for a tensor; otherwise the name of the value's type, as bytes."""
    if isinstance(value, torch.Tensor):
        return {key: value}
    name = type(value).__name__.encode("ascii", "replace")[:60]
    return {key + TYPE_SUFFIX: torch.tensor(list(name), dtype=torch.uint8)}


def encoding(objects: dict, inputs: Inputs) -> Tensors:
    fn = objects["sinusoidal_encoding"]
    return returned("encoding", fn(inputs["num_positions"], inputs["dim"]))


def encoding_scratch(objects: dict, inputs: Inputs) -> Tensors:
    fn = objects["sinusoidal_encoding"]
    return scratch.across_sizes(((fn, (N, D)) for N, D in inputs["runs"]), (), {})


def rotation(objects: dict, inputs: Inputs) -> Tensors:
    """``rotation_for_offset(k, dim)`` for every offset k, as ``map0``, ``map1``, ..."""
    fn = objects["rotation_for_offset"]
    found: Tensors = {}
    for index, offset in enumerate(inputs["offsets"]):
        found.update(returned(f"map{index}", fn(offset, inputs["dim"])))
    return found


def rotation_scratch(objects: dict, inputs: Inputs) -> Tensors:
    fn = objects["rotation_for_offset"]
    return scratch.across_sizes(((fn, (k, D)) for k, D in inputs["runs"]), (), {})


def encoding_2d(objects: dict, inputs: Inputs) -> Tensors:
    """The 2-D encoding, and the student's own 1-D encodings of the rows and of the columns."""
    h, w, D = inputs["height"], inputs["width"], inputs["dim"]
    found = returned("encoding", objects["sinusoidal_encoding_2d"](h, w, D))
    one_d = objects["sinusoidal_encoding"]
    found.update(returned("rows", one_d(h, D // 2)))
    found.update(returned("cols", one_d(w, D // 2)))
    return found


def encoding_2d_scratch(objects: dict, inputs: Inputs) -> Tensors:
    """The 2-D encoding watched at a few sizes: the lines and torch calls of its own code.

    A 2-D encoding may run the student's ``sinusoidal_encoding`` inside, whose loops are the 1-D
    exercise's business: when the 2-D call's counts grow with the grid, the counts of the two 1-D
    encodings it is made of (watched apart, at the same sizes) are taken away, so that only a loop
    in the 2-D code itself is reported here.
    """
    fn, one_d = objects["sinusoidal_encoding_2d"], objects["sinusoidal_encoding"]
    runs = inputs["runs"]
    found = scratch.across_sizes(((fn, (h, w, D)) for h, w, D in runs), (), {})
    if len(set(found["torch_calls"].tolist())) == 1 and len(set(found["lines"].tolist())) == 1:
        return found
    calls, lines = [], []
    for h, w, D in runs:
        rows, cols = scratch.watch(one_d, (h, D // 2), {}), scratch.watch(one_d, (w, D // 2), {})
        calls.append(rows.torch_calls + cols.torch_calls)
        lines.append(rows.lines + cols.lines)
    found["torch_calls"] = found["torch_calls"] - torch.tensor(calls, dtype=torch.int64)  # (sizes,)
    found["lines"] = found["lines"] - torch.tensor(lines, dtype=torch.int64)
    return found
