"""What a student's function does while it runs: the run-time half of the "from scratch" check.

Three hooks watch one call, together:

* a :class:`~torch.overrides.TorchFunctionMode` counts the torch functions and tensor methods called;
* ``sys.settrace`` counts the lines run in the student's own frames (a Python loop over the batch,
  the heads or the tokens runs more lines for bigger inputs) and sees every Python function
  entered (``F.unfold`` by its code object);
* ``sys.setprofile`` sees every built-in called (``torch._C._nn.im2col`` by identity), which no
  torch-function mode can hide (``DisableTorchFunction`` only silences the first hook).

Vectorised code runs the same lines and makes the same torch calls whatever the input size, so
counts that grow with the size mean a loop. This half runs in the student's process and only
reports; the judge (outside, ``vitlab.checks.scratch``) also reads the answer's syntax tree.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.overrides import TorchFunctionMode


def is_student_file(filename: str) -> bool:
    """Code the student wrote: a grading-program cell, or a JupyterLab/IPython cell."""
    return filename.startswith(("<cell", "<ipython-input")) or "/ipykernel_" in filename


@dataclass
class Record:
    torch_calls: int = 0
    lines: int = 0
    seen: set[str] = field(default_factory=set)  # labels of forbidden functions that ran


class _TorchCounter(TorchFunctionMode):
    def __init__(self, record: Record, forbidden: Mapping[Any, str]) -> None:
        super().__init__()
        self.record, self.forbidden = record, forbidden

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.record.torch_calls += 1
        label = self.forbidden.get(func) if _hashable(func) else None
        if label:
            self.record.seen.add(label)
        return func(*args, **(kwargs or {}))


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _code_of(func: Any) -> Any:
    return getattr(getattr(func, "__func__", func), "__code__", None)


def watch(fn: Callable[..., Any], args: Sequence[Any], forbidden: Mapping[Any, str]) -> Record:
    """Run ``fn(*args)`` under the three hooks; its result is discarded, its errors propagate."""
    record = Record()
    by_code = {_code_of(f): label for f, label in forbidden.items() if _code_of(f) is not None}
    builtin = {id(f): label for f, label in forbidden.items() if _code_of(f) is None}

    def local(frame, event, arg):
        if event == "line":
            record.lines += 1
        return local

    def tracer(frame, event, arg):
        label = by_code.get(frame.f_code)
        if label:
            record.seen.add(label)
        return local if is_student_file(frame.f_code.co_filename) else None

    def profiler(frame, event, arg):
        if event == "c_call":
            label = builtin.get(id(arg))
            if label:
                record.seen.add(label)

    previous_trace, previous_profile = sys.gettrace(), sys.getprofile()
    counter = _TorchCounter(record, forbidden)
    sys.settrace(tracer)
    sys.setprofile(profiler)
    try:
        with counter:
            fn(*args)
    finally:
        sys.settrace(previous_trace)
        sys.setprofile(previous_profile)
    return record


def across_sizes(
    runs: Iterable[tuple[Callable[..., Any], Sequence[Any]]],
    labels: Sequence[str],
    forbidden: Mapping[Any, str],
) -> dict[str, torch.Tensor]:
    """Watch one call per input size; the judge's evidence as plain tensors.

    ``torch_calls`` and ``lines`` hold one count per size; ``forbidden`` one flag per label.
    """
    calls, lines, seen = [], [], set()
    for fn, args in runs:
        record = watch(fn, args, forbidden)
        calls.append(record.torch_calls)
        lines.append(record.lines)
        seen |= record.seen
    return {
        "torch_calls": torch.tensor(calls, dtype=torch.int64),
        "lines": torch.tensor(lines, dtype=torch.int64),
        "forbidden": torch.tensor([int(label in seen) for label in labels], dtype=torch.int64),
    }


def forbidden_table(entries: Iterable[tuple[Any, str]]) -> dict[Any, str]:
    """{function: label} without the entries this build of torch does not have (``None``)."""
    return {func: label for func, label in entries if func is not None}


def private(path: str) -> Any:
    """A private torch function by dotted path (``"_C._nn.im2col"``), or None when absent."""
    value: Any = torch
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value
