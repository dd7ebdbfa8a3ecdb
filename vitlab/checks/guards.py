""""From scratch" verified: which PyTorch functions a student's code calls, and whether it loops.

A :class:`~torch.overrides.TorchFunctionMode` sees every torch function and tensor method the code
calls. Two facts follow from the record:

* a forbidden built-in (``F.unfold`` inside ``patchify``, ``F.scaled_dot_product_attention`` inside
  a from-scratch attention) shows up by identity;
* a Python loop over the batch (or over patches, or heads) makes the number of calls grow with that
  size, while vectorised code makes the same calls whatever the size.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from torch.overrides import TorchFunctionMode


class _Recorder(TorchFunctionMode):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Any] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.calls.append(func)
        return func(*args, **(kwargs or {}))


def torch_calls(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
    """Every torch function or tensor method ``fn(*args, **kwargs)`` calls, in order."""
    recorder = _Recorder()
    with recorder:
        fn(*args, **kwargs)
    return recorder.calls


def _name(func: Any) -> str:
    module = getattr(func, "__module__", None) or ""
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
    return f"{module}.{name}" if module and not name.startswith(module) else name


def forbidden_calls(calls: Iterable[Any], forbidden: dict[Any, str]) -> list[str]:
    """Names (as the student would write them) of the forbidden functions among ``calls``."""
    seen = []
    for func in calls:
        label = forbidden.get(func)
        if label is not None and label not in seen:
            seen.append(label)
    return seen


def call_count_grows(counts: dict[str, int]) -> bool:
    """True when the number of torch calls differs between sizes (a Python loop over that size)."""
    return len(set(counts.values())) > 1
