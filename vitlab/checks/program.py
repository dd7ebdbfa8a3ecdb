"""The grading program of a notebook: its setup cells and the student's own cells, in notebook order.

* setup cells come from the **source** notebook (the instructor's ``solutions/`` when grading, never
  the student's copy), without their import of the checks library (the sandbox has none);
* answer cells, and every code cell the student added (a helper function in a new cell), come from
  the submission, in its order;
* test cells, and the instructor's demonstration cells (figures, training runs, experiments), are
  left out: tests are data in the registry, and demonstrations are not graded.

Which cell is which is read with :mod:`vitlab.cells`: demonstration cells carry
``"vitlab": {"demo": true}`` in the source (a copy of one keeps it, so it stays a demonstration).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vitlab import cells
from vitlab.harness.wire import ProgramCell

CHECKS_MODULES = ("vitlab.checks",)


def is_demo(cell: Mapping[str, Any]) -> bool:
    meta = (cell.get("metadata") or {}).get(cells.SETUP_KEY) or {}
    return bool(meta.get("demo"))


def without_checks_import(source: str) -> str:
    """A setup cell without its ``from vitlab.checks import ...`` / ``from vitlab import checks`` lines."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    drop: set[int] = set()
    for node in tree.body:
        imports_checks = (
            isinstance(node, ast.ImportFrom)
            and node.module is not None
            and (
                node.module.startswith(CHECKS_MODULES)
                or (node.module == "vitlab" and any(a.name == "checks" for a in node.names))
            )
        ) or (isinstance(node, ast.Import) and any(a.name.startswith(CHECKS_MODULES) for a in node.names))
        if imports_checks:
            drop |= set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    lines = source.splitlines()
    return "\n".join(line for number, line in enumerate(lines, 1) if number not in drop)


@dataclass(frozen=True)
class Program:
    cells: tuple[ProgramCell, ...]
    student_cells: tuple[tuple[str, str], ...]  # (label, source): answers and added cells
    setup_sources: tuple[str, ...]
    test_ids: tuple[str, ...]  # the source's test cells, in order


def build(submitted: Mapping[str, Any], source: Mapping[str, Any]) -> Program:
    """The program for ``submitted``, with setup cells and test cells taken from ``source``."""
    setups = {cells.grade_id(c): c for c in source["cells"] if cells.is_setup(c)}
    program: list[ProgramCell] = []
    student: list[tuple[str, str]] = []
    used: set[str] = set()
    for number, cell in enumerate(submitted["cells"], 1):
        if not cells.is_code(cell) or cells.is_test(cell):
            continue
        gid = cells.grade_id(cell)
        if gid in setups and gid not in used:
            used.add(gid)
            program.append(ProgramCell("setup", gid, without_checks_import(cells.source(setups[gid]))))
        elif cells.is_answer(cell):
            label = gid or f"#{number}"
            program.append(ProgramCell("answer", label, cells.source(cell)))
            student.append((label, cells.source(cell)))
        elif not is_demo(cell) and not cells.is_locked(cell) and gid is None:
            label = f"#{number} (added)"
            program.append(ProgramCell("added", label, cells.source(cell)))
            student.append((label, cells.source(cell)))
    missing = [
        ProgramCell("setup", gid, without_checks_import(cells.source(c)))
        for gid, c in setups.items()
        if gid not in used
    ]
    program = missing + program  # a deleted setup cell still runs, first
    tests = tuple(cells.grade_id(c) or "" for c in source["cells"] if cells.is_test(c))
    setup_sources = tuple(c.source for c in program if c.role == "setup")
    return Program(tuple(program), tuple(student), setup_sources, tests)


def roles(notebook: Mapping[str, Any]) -> Sequence[str]:
    """The role of every code cell of a source notebook (a test keeps each one unambiguous)."""
    found = []
    for cell in notebook["cells"]:
        if not cells.is_code(cell):
            continue
        kinds = [
            name
            for name, yes in (
                ("answer", cells.is_answer(cell)),
                ("test", cells.is_test(cell)),
                ("setup", cells.is_setup(cell)),
                ("demo", is_demo(cell)),
            )
            if yes
        ]
        found.append("+".join(kinds) or "unmarked")
    return found
