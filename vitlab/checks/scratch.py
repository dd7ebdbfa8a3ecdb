""" "From scratch", the one mechanism: forbidden code found in the answer, and loops seen while it runs.

Two verdicts per from-scratch exercise, both computed outside the student's process:

* **the code**: the answer's syntax tree, with every helper it reaches, may not mention the
  exercise's forbidden functions (through any alias), nor the ways around a check: private
  ``torch._C``/``torch.ops`` paths, ``getattr`` with a computed name, ``__dict__``/``vars``,
  ``eval``/``exec``/``__import__``/``importlib``, switching torch-function handling off, the
  profiler hooks, or the checks, the harness and the instructor package;
* **the run**: what :mod:`vitlab.harness.scratch` saw while the function ran at a few sizes
  (forbidden built-ins by identity; torch calls and lines that grow with the size mean a loop).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vitlab.checks import code
from vitlab.checks.core import Case, Exercise, Inputs, Outcome, Scratch, Verdict

BUILT_IN = "built-in used"
PYTHON_LOOP = "python loop"
BYPASS = "check bypassed"

#: paths (resolved through aliases) that no from-scratch answer may touch, and why
ALWAYS_FORBIDDEN: dict[str, str] = {
    "torch._C": "a private torch._C function",
    "torch.ops": "a torch.ops operator",
    "torch._ops": "a torch._ops operator",
    "torch._refs": "a private torch._refs function",
    "torch._prims": "a private torch._prims function",
    "torch._decomp": "a private torch._decomp function",
    "torch.overrides": "torch.overrides (switching off torch-function handling)",
    "torch._VF": "a private torch._VF function",
    "vitlab.harness": "the grading harness",
    "vitlab.checks": "the checks library",
    "instructor": "the instructor's package",
    "importlib": "importlib",
    "ctypes": "ctypes",
    "sys.setprofile": "sys.setprofile",
    "sys.settrace": "sys.settrace",
    "sys.modules": "sys.modules",
    "builtins": "the builtins module",
}
#: names and attributes that only a way around the check needs, wherever they appear
SUSPICIOUS_WORDS = {
    "__import__": "__import__",
    "eval": "eval",
    "exec": "exec",
    "compile": "compile",
    "vars": "vars()",
    "__dict__": "__dict__",
    "__getattribute__": "__getattribute__",
    "globals": "globals()",
    "DisableTorchFunction": "DisableTorchFunction",
    "DisableTorchFunctionSubclass": "DisableTorchFunctionSubclass",
    "_disabled_torch_function_impl": "_disabled_torch_function_impl",
    "__torch_function__": "__torch_function__",
    "_C": "torch._C",
}


def _forbidden_label(ref: code.Reference, scratch: Scratch) -> str | None:
    if ref.computed:
        return f"getattr with a computed name ({ref.text})"
    for name in scratch.names:
        if name.startswith("."):  # any attribute of that name: ".unfold" is Tensor.unfold and F.unfold
            if ref.attribute == name[1:] or (ref.path or "").endswith(name):
                return ref.text
        elif ref.path is not None and (ref.path == name or ref.path.startswith(name + ".")):
            return ref.text
    for prefix, why in ALWAYS_FORBIDDEN.items():
        if ref.path is not None and (ref.path == prefix or ref.path.startswith(prefix + ".")):
            return why
    word = ref.attribute if ref.attribute is not None else (ref.text if ref.path is None else None)
    if word in SUSPICIOUS_WORDS and (ref.attribute is not None or ref.text in SUSPICIOUS_WORDS):
        return SUSPICIOUS_WORDS[word]
    return None


def code_violations(
    scratch: Scratch, cells: Sequence[tuple[str, str]], roots: Iterable[str], trusted: Sequence[str] = ()
) -> list[str]:
    """What the student's code that ``roots`` reach mentions of the forbidden list, as written.

    ``cells``: the student's cells (label, source) in order; ``trusted``: the setup cells' sources
    (their imports give the aliases; their code is the course's own and is not checked).
    """
    aliases = code.Aliases()
    for source in [*trusted, *(s for _, s in cells)]:
        tree = code.parse(source)
        if tree is not None:
            aliases.learn(tree)
    found: list[str] = []
    for statement in code.reachable(code.statements(cells), roots):
        for ref in code.references(statement.node, aliases):
            label = _forbidden_label(ref, scratch)
            text = (
                label if not label or ref.line == 0 else f"{label} (line {ref.line} of cell {statement.cell})"
            )
            if text and text not in found:
                found.append(text)
    return found


def _source_of(value: Any) -> str | None:
    """Source of a notebook function, or of a notebook class's methods (a class's own source is not
    findable in a kernel: its module, ``__main__``, has no file)."""
    if inspect.isclass(value):
        parts = [_source_of(v) for v in vars(value).values() if inspect.isfunction(v)]
        return "\n".join(p for p in parts if p) or None
    try:
        return textwrap.dedent(inspect.getsource(value))
    except (OSError, TypeError):
        return None


def cells_from_objects(objects: Mapping[str, Any]) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """In JupyterLab: the sources of the objects and of the notebook functions they use (by name)."""
    cells: list[tuple[str, str]] = []
    namespace: dict[str, Any] = {}
    todo = list(objects.items())
    seen: set[str] = set()
    while todo:
        name, value = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = _source_of(value)
        if source is None:
            continue
        cells.append((name, source))
        globals_ = (
            getattr(value, "__globals__", None)
            or getattr(getattr(value, "forward", None), "__globals__", None)
            or {}
        )
        namespace.update(globals_)
        tree = code.parse(source)
        for node in ast.walk(tree) if tree else []:
            if isinstance(node, ast.Name) and node.id in globals_ and node.id not in seen:
                target = globals_[node.id]
                if getattr(target, "__module__", None) == "__main__" and (
                    inspect.isfunction(target) or inspect.isclass(target)
                ):
                    todo.append((node.id, target))
    return cells, namespace


def lab_code_verdict(exercise: Exercise, objects: Mapping[str, Any]) -> Verdict | None:
    """The code half in the student's kernel (their objects' own source)."""
    if exercise.scratch is None:
        return None
    cells, namespace = cells_from_objects(objects)
    aliases = code.Aliases.from_namespace(namespace)
    found: list[str] = []
    for statement in code.statements(cells):
        for ref in code.references(statement.node, aliases):
            label = _forbidden_label(ref, exercise.scratch)
            if label and label not in found:
                found.append(label)
    return code_verdict(exercise, found)


def code_verdict(exercise: Exercise, found: Sequence[str]) -> Verdict:
    scratch = exercise.scratch
    assert scratch is not None
    check = f"{exercise.title}: {scratch.case_name} (your code)"
    if not found:
        return Verdict(True, check)
    bypass = [
        f
        for f in found
        if any(
            f.startswith(w)
            for w in (*ALWAYS_FORBIDDEN.values(), *SUSPICIOUS_WORDS.values(), "getattr with a computed name")
        )
    ]
    mistake = BYPASS if bypass and len(bypass) == len(found) else BUILT_IN
    return Verdict(
        False,
        check,
        f"this exercise is from scratch, but your code uses {', '.join(found)}.\nFix: {scratch.fix}",
        mistake=mistake,
    )


# --------------------------------------------------------------------------------------------------
# The run half


def run_case(scratch: Scratch) -> Case:
    return Case(scratch.case_name, scratch.inputs, call=scratch.call, judge=_run_judge(scratch))


def _run_judge(scratch: Scratch):
    def judge(check: str, _: Inputs, outcome: Outcome) -> Verdict:
        t = outcome.tensors
        for key, length in (
            ("forbidden", len(scratch.labels)),
            ("torch_calls", len(scratch.sizes)),
            ("lines", len(scratch.sizes)),
        ):
            if key not in t or t[key].numel() != length:
                return Verdict(
                    False,
                    check,
                    "the run was not recorded completely (did your code change the checks' hooks?)",
                    mistake=BYPASS,
                )
        used = [label for flag, label in zip(t["forbidden"].tolist(), scratch.labels, strict=True) if flag]
        if used:
            return Verdict(
                False,
                check,
                f"this exercise is from scratch, but your code calls {', '.join(used)}.\nFix: {scratch.fix}",
                mistake=BUILT_IN,
            )
        for key, what in (("torch_calls", "PyTorch calls"), ("lines", "lines of Python")):
            counts = t[key].tolist()
            if len(set(counts)) > 1:
                detail = ", ".join(f"{size}: {n}" for size, n in zip(scratch.sizes, counts, strict=True))
                return Verdict(
                    False,
                    check,
                    f"your code runs more {what} for bigger inputs, so it loops in Python "
                    f"over {scratch.loops_over} ({detail}).\nFix: {scratch.fix}",
                    mistake=PYTHON_LOOP,
                )
        return Verdict(True, check)

    return judge
