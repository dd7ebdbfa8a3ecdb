"""What looked like tampering, found without running anything, and the notebook that is graded.

* :func:`cell_flags`: test cells edited, deleted, added or duplicated, compared with the release.
* :func:`code_flags`: student code that reaches for the machinery instead of solving the exercise
  (``sys.modules``, IPython's input transformers and exception handlers, ``os._exit``,
  monkeypatching torch/NumPy/math, ``ctypes``, ...). A flag costs no points; it tells the instructor
  where to look. The points are safe anyway: verdicts are computed outside the kernel.
* :func:`graded_notebook`: the submission with every test cell restored from the source (hidden
  tests included); deleted test cells stay deleted (they score 0 and are flagged).
"""

from __future__ import annotations

import ast
import copy
import re

import nbformat

from grader.samples import grade_id, is_test

#: names whose attributes student code must not assign (monkeypatching the checks' arithmetic)
PATCHABLE = {
    "torch",
    "np",
    "numpy",
    "math",
    "F",
    "nn",
    "checks",
    "hidden",
    "vitlab",
    "core",
    "builtins",
    "IPython",
    "sys",
    "os",
}
#: attribute chains and names that only tampering needs
SUSPICIOUS_ATTRS = {
    "sys.modules": "sys.modules",
    "os._exit": "os._exit",
    "os.kill": "os.kill",
    "os.system": "os.system",
    "sys.settrace": "sys.settrace",
    "sys.setprofile": "sys.setprofile",
    "sys.meta_path": "sys.meta_path",
    "sys.path_hooks": "sys.meta_path",
    "input_transformers_post": "input-transformer",
    "input_transformers_cleanup": "input-transformer",
    "set_custom_exc": "custom-exception-handler",
    "register_magic_function": "magics",
    "events.register": "ipython-events",
    "showtraceback": "custom-exception-handler",
    "grading.replay": "checks-internals",
    "grading.record": "checks-internals",
}
SUSPICIOUS_NAMES = {
    "get_ipython": "get_ipython",
    "__import__": "__import__",
    "importlib": "importlib",
    "ctypes": "ctypes",
    "subprocess": "subprocess",
    "socket": "socket",
    "__builtins__": "builtins",
    "builtins": "builtins",
    "eval": "eval",
    "exec": "exec",
    "compile": "compile",
    "VITLAB_RECORD_DIR": "checks-internals",
    "_exit": "os._exit",
    "threading": "threading",
    "multiprocessing": "multiprocessing",
    "signal": "signal",
    "atexit": "atexit",
}
_MAGIC = re.compile(r"^\s*(!|%)", re.M)


def cell_flags(submitted: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Test cells edited, deleted or duplicated, compared with the student release."""
    released = {grade_id(c): c.source for c in release.cells if is_test(c)}
    seen: dict[str, int] = {}
    flags = []
    for cell in submitted.cells:
        gid = grade_id(cell)
        if gid is None:
            continue
        seen[gid] = seen.get(gid, 0) + 1
        if gid in released and cell.source.strip() != released[gid].strip():
            flags.append(f"test-cell-edited:{gid}")
        elif gid not in released and is_test(cell):
            flags.append(f"test-cell-added:{gid}")
    flags += [f"test-cell-deleted:{gid}" for gid in released if gid not in seen]
    flags += [f"duplicate-cell:{gid}" for gid, n in seen.items() if n > 1]
    return flags


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _scan(source: str) -> set[str]:
    found: set[str] = set()
    if _MAGIC.search(source):
        found.add("suspicious:shell-or-magic")
        source = _MAGIC.sub(r"# \1", source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            )
            for name in names:
                root = name.split(".")[0]
                if root in SUSPICIOUS_NAMES:
                    found.add(f"suspicious:{SUSPICIOUS_NAMES[root]}")
                if name in ("_exit",):
                    found.add("suspicious:os._exit")
        elif isinstance(node, ast.Name) and node.id in SUSPICIOUS_NAMES:
            found.add(f"suspicious:{SUSPICIOUS_NAMES[node.id]}")
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            for chain, label in SUSPICIOUS_ATTRS.items():
                if dotted == chain or dotted.endswith("." + chain):
                    found.add(f"suspicious:{label}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "VITLAB_RECORD" in node.value:
            found.add("suspicious:checks-internals")
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and _dotted(target).split(".")[0] in PATCHABLE:
                    found.add(f"monkeypatch:{_dotted(target)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and _patches_a_module(node)
        ):
            found.add("suspicious:setattr")
    return found


def _patches_a_module(call: ast.Call) -> bool:
    """setattr/delattr on a library module (or on something computed, which may be one); replacing a
    layer of the student's own model (``setattr(parent, "head", new_head)``, notebook 7) is fine."""
    if not call.args:
        return True
    target = call.args[0]
    if isinstance(target, ast.Name | ast.Attribute):
        return _dotted(target).split(".")[0] in PATCHABLE
    return True


def code_flags(submitted: nbformat.NotebookNode) -> list[str]:
    """Suspicious constructs in the code the student wrote (every code cell but the test cells)."""
    found: set[str] = set()
    for cell in submitted.cells:
        if cell.get("cell_type") == "code" and not is_test(cell):
            found |= _scan(cell.get("source", ""))
    return sorted(found)


def graded_notebook(submitted: nbformat.NotebookNode, source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The submission with its test cells (and their metadata) restored from the source."""
    tests = {grade_id(c): c for c in source.cells if is_test(c)}
    graded = copy.deepcopy(submitted)
    for index, cell in enumerate(graded.cells):
        gid = grade_id(cell)
        if gid in tests:
            restored = copy.deepcopy(tests[gid])
            restored["outputs"], restored["execution_count"] = [], None
            graded.cells[index] = restored
        elif cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return graded
