"""How to call each exercise: one module per notebook, one function per kind of case.

A call takes the student's objects by name and the grader's inputs, calls the student's code and
returns what it produced as a dict of tensors. It decides nothing: the verdict is computed outside,
from these tensors. Calls may build small instruments (models, loaders) from the inputs; they
never hold an expected value.
"""

import importlib
import pkgutil


def import_all() -> list[str]:
    """Import every notebook's calls module (the zygote does it once, before forking)."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    for name in names:
        importlib.import_module(f"{__name__}.{name}")
    return names
