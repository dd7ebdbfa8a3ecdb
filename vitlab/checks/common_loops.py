"""Python loops seen from the Python side: how many lines of the student's own code run.

:mod:`vitlab.checks.guards` counts torch calls, which misses a loop that builds plain Python floats
(``math.sin`` in two nested loops, then one ``torch.tensor(rows)``). Counting the line events of the
student's own frames (not torch's, not NumPy's, not the standard library's, not this package's)
sees every loop and every comprehension: vectorised code runs the same lines whatever the size.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

_PACKAGE = str(Path(__file__).resolve().parent.parent)


def _library_prefixes() -> tuple[str, ...]:
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, _PACKAGE, "<frozen"}
    return tuple(sorted(prefixes))


def python_steps(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Line events executed in the caller's own code while ``fn(*args, **kwargs)`` runs."""
    library = _library_prefixes()
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame, event, arg):
        return None if frame.f_code.co_filename.startswith(library) else local

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        fn(*args, **kwargs)
    finally:
        sys.settrace(previous)
    return count
