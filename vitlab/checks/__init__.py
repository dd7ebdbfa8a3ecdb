"""The checks library: test cells that name the mistake instead of dumping a traceback.

A test cell is one call::

    checks.run("test_patchify", patchify)

which finds the exercise by its grade id in the registry (:mod:`vitlab.checks.registry`), calls the
student's objects on the public cases, compares with the oracle (PyTorch itself, a closed form or
an invariant) and, when something is off, names the catalogued mistake the output matches.

Modules: ``core`` (the data and the one judge), ``messages`` (every message), ``scratch`` and
``code`` (the from-scratch check), ``session`` (running and judging cases), ``program`` (the
grading program of a notebook), ``display``; then one module per notebook.
"""

from __future__ import annotations

from typing import Any


def run(grade_id: str, *objects: Any) -> None:
    """Run the public checks of the exercise ``grade_id`` on the student's ``objects``."""
    from vitlab.checks import display, session

    display.show(session.in_process(grade_id, objects))


__all__ = ["run"]
