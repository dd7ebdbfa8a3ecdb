"""What a notebook cell is, for grading: the one home of the cell predicates.

The course's notebooks are nbgrader notebooks. Every cell is one of:

* an **answer** cell (nbgrader ``solution``): the student's code, graded through the test below it;
* a **test** cell (nbgrader ``grade`` with points, not a solution): one call,
  ``checks.run("<grade id>", ...)``, whose grade id names the exercise in the registry;
* a **setup** cell (locked, marked ``"vitlab": {"setup": true}`` in its metadata): imports and
  definitions the answers may use; the grading program runs it, taken from the source notebook;
* a **demonstration** cell (every other cell the release holds: figures, training runs,
  experiments): skipped when grading;
* a cell the **student added** (its id is not in the release): run when grading, in notebook order,
  so a helper written in a new cell is graded with the answers that use it.

``grader``, ``vitlab.progress``, the benchmarks and the tests all ask these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Cell = Mapping[str, Any]

SETUP_KEY = "vitlab"
#: nbgrader's region markers, spelled in two parts: this module ships to students, and the student
#: release refuses any file that holds a marker as it appears in a notebook (the sign of a leaked answer)
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN " + "SOLUTION", "### END " + "SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN " + "HIDDEN TESTS", "### END " + "HIDDEN TESTS"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def nbgrader(cell: Cell) -> Mapping[str, Any]:
    meta = cell.get("metadata") or {}
    value = meta.get("nbgrader") if isinstance(meta, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def source(cell: Cell) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def grade_id(cell: Cell) -> str | None:
    value = nbgrader(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def is_code(cell: Cell) -> bool:
    return cell.get("cell_type") == "code"


def is_answer(cell: Cell) -> bool:
    return is_code(cell) and bool(nbgrader(cell).get("solution"))


def is_test(cell: Cell) -> bool:
    meta = nbgrader(cell)
    return is_code(cell) and bool(meta.get("grade")) and not meta.get("solution")


def is_locked(cell: Cell) -> bool:
    return bool(nbgrader(cell).get("locked"))


def is_setup(cell: Cell) -> bool:
    """A locked code cell the source marks as setup: the grading program runs it."""
    meta = (cell.get("metadata") or {}).get(SETUP_KEY) or {}
    return is_code(cell) and is_locked(cell) and not is_test(cell) and bool(meta.get("setup"))


def is_written_answer(cell: Cell) -> bool:
    """A markdown answer cell graded by hand (nbgrader ``solution`` + ``grade`` on markdown)."""
    meta = nbgrader(cell)
    return cell.get("cell_type") == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


def points(cell: Cell) -> float:
    try:
        return float(nbgrader(cell).get("points", 0) or 0)
    except (TypeError, ValueError):
        return 0.0


def cell_id(cell: Cell) -> str | None:
    value = cell.get("id")
    return value if isinstance(value, str) and value else None


def test_points(cells: Iterable[Cell]) -> dict[str, float]:
    """grade id -> points of every test cell, in notebook order."""
    return {grade_id(c) or f"test-{i}": points(c) for i, c in enumerate(cells) if is_test(c)}


def strip_markers(text: str) -> str:
    """The reference answer as a student would write it: solution markers and hidden tests removed."""
    kept, hidden = [], False
    for line in text.splitlines():
        marker = line.strip()
        if marker in (HIDDEN_BEGIN, HIDDEN_END):
            hidden = marker == HIDDEN_BEGIN
            continue
        if hidden or marker in (SOLUTION_BEGIN, SOLUTION_END):
            continue
        kept.append(line)
    return "\n".join(kept)


def blank_answer(text: str) -> str:
    """An answer cell as released: each solution region replaced by nbgrader's stub."""
    kept, inside = [], False
    for line in text.splitlines():
        marker = line.strip()
        if marker == SOLUTION_BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            kept += [indent + STUB[0], indent + STUB[1]]
            inside = True
        elif marker == SOLUTION_END:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def public_part(text: str) -> str:
    """A test cell's visible part (what the student's release shows)."""
    return text.split(HIDDEN_BEGIN)[0].rstrip()
