"""Reading the student's code without running it: names resolved through aliases, reachable code.

Two users: the "from scratch" check (:mod:`vitlab.checks.scratch`: which forbidden functions an
answer's code mentions) and the grader's code flags (``grader/flags.py``: monkeypatching, reaching
for the checks, the harness or the instructor package). Both need the same two facts:

* what a name or an attribute chain *is*, through every alias (``import torch.nn.functional as F``,
  ``from torch.nn.functional import unfold as u``, ``zz = torch``, ``getattr(F, "unfold")``);
* which of the student's top-level statements an exercise's objects can reach (a helper in an
  added cell counts; an experiment in another cell does not).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

_MAGIC = re.compile(r"^(\s*)(!|%)", re.M)


def parse(source: str) -> ast.Module | None:
    """The cell's syntax tree (IPython magics and shell lines commented out), or None."""
    try:
        return ast.parse(_MAGIC.sub(r"\1# \2", source))
    except SyntaxError:
        return None


def has_magic(source: str) -> bool:
    return bool(_MAGIC.search(source))


def dotted(node: ast.AST) -> tuple[str | None, list[str]]:
    """(root name, attribute chain) of ``a.b.c``; (None, []) for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call) and _is_getattr(node) and isinstance(node.args[1], ast.Constant):
        root, chain = dotted(node.args[0])
        return root, chain + [str(node.args[1].value)] + list(reversed(parts))
    if isinstance(node, ast.Name):
        return node.id, list(reversed(parts))
    return None, []


def _is_getattr(node: ast.Call) -> bool:
    return (
        isinstance(node.func, ast.Name)
        and node.func.id in ("getattr", "setattr", "delattr", "hasattr")
        and len(node.args) >= 2
    )


@dataclass
class Aliases:
    """Name -> the dotted path it stands for (``F`` -> ``torch.nn.functional``)."""

    table: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> Aliases:
        """Aliases a live namespace holds: modules and library functions/classes bound to names."""
        table = {}
        for name, value in namespace.items():
            if isinstance(value, ModuleType):
                table[name] = value.__name__
            elif (
                callable(value)
                and getattr(value, "__module__", None)
                and not str(value.__module__).startswith("__main__")
            ):
                qualname = getattr(value, "__qualname__", getattr(value, "__name__", None))
                if qualname:
                    table[name] = f"{value.__module__}.{qualname}"
        return cls(table)

    def learn(self, tree: ast.AST) -> None:
        """Record the imports and plain re-bindings (``u = F.unfold``) of ``tree``, in order."""
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.table[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".")[0]
                        self.table[root] = root
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.table[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                path = self.resolve(node.value)
                if path is not None:
                    self.table[node.targets[0].id] = path

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted path a reference stands for, when its root is an alias (else None)."""
        root, chain = dotted(node)
        if root is None or root not in self.table:
            return None
        return ".".join([self.table[root], *chain])


# --------------------------------------------------------------------------------------------------
# The student's top-level statements, and which of them an exercise reaches


@dataclass(frozen=True)
class Statement:
    cell: str  # the cell's label
    node: ast.stmt
    binds: frozenset[str]
    uses: frozenset[str]
    patches: bool  # assigns to an attribute of something it did not define (a monkeypatch)


def _bound(node: ast.stmt) -> set[str]:
    names: set[str] = set()
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        names.add(node.name)
    elif isinstance(node, ast.Import | ast.ImportFrom):
        names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    else:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.add(sub.id)
    return names


def _used(node: ast.stmt) -> set[str]:
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)}


def _patches(node: ast.stmt, own: set[str]) -> bool:
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = node.targets
    for target in targets:
        if isinstance(target, ast.Attribute | ast.Subscript):
            root, _ = dotted(target.value if isinstance(target, ast.Subscript) else target)
            if root is not None and root not in own:
                return True
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id in ("setattr", "delattr")
    ):
        return True
    return False


def statements(cells: Sequence[tuple[str, str]]) -> list[Statement]:
    """The top-level statements of the student's cells ``(label, source)``, in order."""
    parsed = [(label, parse(source)) for label, source in cells]
    own: set[str] = set()
    for _, tree in parsed:
        for node in tree.body if tree else []:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                own.add(node.name)
    found = []
    for label, tree in parsed:
        for node in tree.body if tree else []:
            found.append(
                Statement(label, node, frozenset(_bound(node)), frozenset(_used(node)), _patches(node, own))
            )
    return found


def reachable(found: Sequence[Statement], roots: Iterable[str]) -> list[Statement]:
    """The statements that define ``roots`` and everything they use, plus every monkeypatch."""
    todo, seen_names = list(roots), set()
    chosen: list[int] = [i for i, s in enumerate(found) if s.patches]
    while todo:
        name = todo.pop()
        if name in seen_names:
            continue
        seen_names.add(name)
        for index, statement in enumerate(found):
            if name in statement.binds and index not in chosen:
                chosen.append(index)
                todo += [n for n in statement.uses if n not in seen_names]
    return [found[i] for i in sorted(chosen)]


# --------------------------------------------------------------------------------------------------
# References: every name, attribute and call in a piece of code, resolved


@dataclass(frozen=True)
class Reference:
    text: str  # as written: "F.unfold", "images.unfold", "getattr(torch, name)"
    path: str | None  # resolved through the aliases: "torch.nn.functional.unfold"
    attribute: str | None  # the last attribute name, if it is an attribute
    line: int
    computed: bool = False  # getattr/setattr with a name computed at run time


def references(node: ast.AST, aliases: Aliases) -> list[Reference]:
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            found.append(
                Reference(ast.unparse(sub), aliases.resolve(sub), sub.attr, getattr(sub, "lineno", 0))
            )
        elif isinstance(sub, ast.Name):
            found.append(Reference(sub.id, aliases.resolve(sub), None, getattr(sub, "lineno", 0)))
        elif isinstance(sub, ast.Call) and _is_getattr(sub):
            name = sub.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found.append(Reference(ast.unparse(sub), aliases.resolve(sub), name.value, sub.lineno))
            else:
                found.append(Reference(ast.unparse(sub), None, None, sub.lineno, computed=True))
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found.append(Reference(repr(sub.value), None, None, getattr(sub, "lineno", 0)))
    return found
