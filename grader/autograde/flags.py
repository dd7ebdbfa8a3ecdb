"""What looked like tampering, found without running anything: flags for the instructor.

* :func:`cell_flags`: test cells edited, deleted, added or duplicated, compared with the release;
* :func:`code_flags`: student code that reaches for the machinery instead of solving the exercise:
  monkeypatching a library through any alias (``import vitlab.checks.core as zz; zz.X.y = ...``,
  ``setattr(alias, ...)``, ``__dict__`` writes), the checks library, the harness, the instructor
  package, ``sys.modules``, IPython's input transformers and exception handlers, ``os._exit``...

A flag costs no points by itself: scores come from the outputs of the student's code on the
grader's inputs, judged outside the sandbox. Flags tell the instructor where to look. Two
exceptions: a from-scratch exercise *fails* when its own code uses such a construct
(``vitlab.checks.scratch``), and code that changes the grading machinery itself (monkeypatching the
harness or the checks) or imports the instructor's package voids the notebook's points
(``worker.TAMPERING``): there is no honest reason to do either.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from typing import Any

from vitlab import cells
from vitlab.checks import code

#: resolved paths whose use is flagged, and the flag
REACHING = {
    "vitlab.checks": "checks-internals",
    "vitlab.harness": "checks-internals",
    "instructor": "instructor-package",
    "sys.modules": "sys.modules",
    "sys.meta_path": "sys.meta_path",
    "sys.path_hooks": "sys.meta_path",
    "sys.settrace": "sys.settrace",
    "sys.setprofile": "sys.setprofile",
    "os._exit": "os._exit",
    "os.kill": "os.kill",
    "os.system": "os.system",
    "importlib": "importlib",
    "ctypes": "ctypes",
    "subprocess": "subprocess",
    "socket": "socket",
    "builtins": "builtins",
    "threading": "threading",
    "multiprocessing": "multiprocessing",
    "signal": "signal",
    "atexit": "atexit",
    "gc": "gc",
    "inspect": "inspect",
    "torch._C": "torch._C",
    "torch.overrides": "torch.overrides",
}
#: attribute names that only tampering needs, whatever they hang from
ATTRIBUTES = {
    "input_transformers_post": "input-transformer",
    "input_transformers_cleanup": "input-transformer",
    "set_custom_exc": "custom-exception-handler",
    "register_magic_function": "magics",
    "showtraceback": "custom-exception-handler",
    "__dict__": "__dict__",
    "__globals__": "__globals__",
    "__code__": "__code__",
    "__builtins__": "builtins",
    "__subclasses__": "__subclasses__",
    "f_back": "frames",
    "f_globals": "frames",
    "_getframe": "frames",
}
NAMES = {
    "get_ipython": "get_ipython",
    "__import__": "__import__",
    "eval": "eval",
    "exec": "exec",
    "compile": "compile",
    "__builtins__": "builtins",
    "_exit": "os._exit",
    "vars": "__dict__",
}


def cell_flags(submitted: Mapping[str, Any], release: Mapping[str, Any]) -> list[str]:
    """Test cells edited, deleted, added or duplicated, compared with the student release."""
    released = {cells.grade_id(c): cells.source(c) for c in release["cells"] if cells.is_test(c)}
    seen: dict[str, int] = {}
    flags = []
    for cell in submitted["cells"]:
        gid = cells.grade_id(cell)
        if gid is None:
            continue
        seen[gid] = seen.get(gid, 0) + 1
        if gid in released and cells.source(cell).strip() != released[gid].strip():
            flags.append(f"test-cell-edited:{gid}")
        elif gid not in released and cells.is_test(cell):
            flags.append(f"test-cell-added:{gid}")
    flags += [f"test-cell-deleted:{gid}" for gid in released if gid not in seen]
    flags += [f"duplicate-cell:{gid}" for gid, n in seen.items() if n > 1]
    return flags


def _reaching(path: str | None) -> str | None:
    for prefix, label in REACHING.items():
        if path is not None and (path == prefix or path.startswith(prefix + ".")):
            return label
    return None


def _monkeypatch(node: ast.AST, aliases: code.Aliases, own: set[str]) -> list[str]:
    """Assignments, deletions and setattr/delattr that change something the student did not define."""
    found = []
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = list(node.targets)
    for target in targets:
        for sub in ast.walk(target) if isinstance(target, ast.Tuple | ast.List) else [target]:
            if isinstance(sub, ast.Subscript):
                root, chain = code.dotted(sub.value)
                if chain and chain[-1] in ("__dict__", "modules"):
                    found.append(f"monkeypatch:{ast.unparse(sub.value)}")
            elif isinstance(sub, ast.Attribute):
                path = aliases.resolve(sub)
                root, _ = code.dotted(sub)
                if path is not None and root not in own:
                    found.append(f"monkeypatch:{path}")
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("setattr", "delattr")
        and node.args
    ):
        target = node.args[0]
        path = aliases.resolve(target) if isinstance(target, ast.Name | ast.Attribute) else None
        root, _ = code.dotted(target)
        if path is not None:
            found.append(f"monkeypatch:{node.func.id}({path or ast.unparse(target)})")
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("update", "__setitem__")
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "__dict__"
    ):
        found.append(f"monkeypatch:{ast.unparse(node.func.value)}")
    return found


def code_flags(student_cells: Sequence[tuple[str, str]], setup_sources: Sequence[str] = ()) -> list[str]:
    """Suspicious constructs in the code the student wrote (answer cells and added cells)."""
    aliases = code.Aliases()
    for source in setup_sources:
        tree = code.parse(source)
        if tree is not None:
            aliases.learn(tree)
    found: set[str] = set()
    parsed = []
    own: set[str] = set()
    for _, source in student_cells:
        if code.has_magic(source):
            found.add("suspicious:shell-or-magic")
        tree = code.parse(source)
        if tree is None:
            continue
        parsed.append(tree)
        aliases.learn(tree)
        own |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    for tree in parsed:
        for node in ast.walk(tree):
            found |= set(_monkeypatch(node, aliases, own))
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                modules = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
                for name in modules + ([f"{modules[0]}.{n}" for n in names] if modules else names):
                    label = _reaching(name)
                    if label:
                        found.add(f"suspicious:{label}")
            elif isinstance(node, ast.Attribute):
                label = _reaching(aliases.resolve(node)) or ATTRIBUTES.get(node.attr)
                if label:
                    found.add(f"suspicious:{label}")
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                label = NAMES.get(node.id) or _reaching(aliases.resolve(node))
                if label:
                    found.add(f"suspicious:{label}")
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and (
                    "vitlab.checks" in node.value
                    or "vitlab.harness" in node.value
                    or "instructor" == node.value
                )
            ):
                found.add("suspicious:checks-internals")
    return sorted(found)
