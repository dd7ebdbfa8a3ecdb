"""Trusted verdicts: the test cells replayed outside the sandbox on the outcomes the kernel recorded.

Inside the sandbox, :mod:`vitlab.checks.core` writes one safetensors file per case it ran (the
student's outputs as plain tensors, an error as text). The grader moves each test cell's files out
of the sandbox as soon as the cell finishes. Here, in the grader's own process, the test cell's
source (from ``solutions/``, hidden tests included) runs again with ``Exercise.verdicts`` answered by
:class:`Replayer`: for each case it regenerates the inputs, takes the next recorded outcome, and
computes the verdict with the oracle and the mistake catalogue. Nothing the student's process did to
torch, NumPy, IPython or the checks library can change that verdict; a missing, malformed or
out-of-order record fails its check.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import os
import stat
import struct
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from vitlab.checks import core
from vitlab.checks.core import CheckFailure, Outcome, Verdict

MAX_RECORD_BYTES = 64 * 1024 * 1024
MAX_TEXT = 300  # characters of student-controlled text (error messages) shown back
NOT_RECORDED = (
    "no result was recorded for this check: the test did not get this far in your notebook "
    "(an earlier error, a changed test, or code that stopped the checks)"
)


@dataclass(frozen=True)
class Record:
    exercise: str
    case: str
    outcome: Outcome


def _short(text: str, limit: int = MAX_TEXT) -> str:
    lines = text.strip().splitlines()[:3]
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_record(path: Path) -> Record | None:
    """One record, read without following links and without unpickling; None if malformed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RECORD_BYTES:
            return None
        with os.fdopen(fd, "rb") as f:
            fd = -1
            data = f.read(MAX_RECORD_BYTES + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    try:
        from safetensors.torch import load

        (size,) = struct.unpack("<Q", data[:8])
        meta = json.loads(data[8 : 8 + size]).get("__metadata__") or {}
        tensors = load(data)
    except Exception:
        return None
    if not isinstance(meta, dict) or meta.get("format") != core.grading.FORMAT:
        return None
    error_type = str(meta.get("error_type", ""))[:80] or None
    outcome = Outcome(
        tensors=dict(tensors),
        error_type=error_type,
        error_message=_short(str(meta.get("error_message", ""))),
        error_line=_short(str(meta.get("error_line", "")), 200),
    )
    return Record(str(meta.get("exercise", "")), str(meta.get("case", "")), outcome)


def load_records(paths: list[Path]) -> list[Record | None]:
    return [load_record(p) for p in sorted(paths)]


class Replayer:
    """Answers ``Exercise.verdicts`` from recorded outcomes, in the order the checks ran."""

    def __init__(self, records: list[Record | None]):
        self.records = records
        self.position = 0
        self.verdicts: list[Verdict] = []
        self.mismatch = False

    def __call__(self, exercise, cases) -> list[Verdict]:
        results = []
        for case in cases:
            check = f"{exercise.name}: {case.name}"
            record = self.records[self.position] if self.position < len(self.records) else None
            if record is None or (record.exercise, record.case) != (exercise.name, case.name):
                self.mismatch |= self.position < len(self.records)
                results.append(Verdict(False, check, NOT_RECORDED))
                continue
            self.position += 1
            try:
                results.append(exercise.verdict(case, case.inputs(), record.outcome))
            except Exception as error:  # a malformed outcome (a key missing, a wrong dtype...)
                results.append(
                    Verdict(
                        False,
                        check,
                        f"your result could not be checked ({type(error).__name__}: "
                        f"{_short(str(error), 150)})",
                    )
                )
        self.verdicts += results
        return results


class _Anything:
    """Stands for the student's objects: the replay never calls student code."""

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, key):
        return self

    def __iter__(self):
        return iter(())


class _Names(dict):
    """Test-cell names: the setup imports, else a stand-in (builtins still resolve normally)."""

    def __missing__(self, name):
        if hasattr(builtins, name):
            raise KeyError(name)
        return _Anything()


def setup_imports(source_cells: list[str]) -> dict:
    """Run the import statements of the instructor's setup cells (trusted) into a namespace."""
    namespace: dict = {"__name__": "__replay__"}
    for source in source_cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        imports = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        if imports:
            with redirect_stdout(io.StringIO()):
                exec(compile(ast.Module(body=imports, type_ignores=[]), "<setup imports>", "exec"), namespace)
    return namespace


@dataclass
class CellVerdict:
    """The trusted result of one test cell."""

    passed: bool
    verdicts: list[Verdict] = field(default_factory=list)
    message: str = ""
    mismatch: bool = False  # a record did not match the check expected at that point
    records: int = 0


def replay_cell(grade_id: str, source: str, namespace: dict, records: list[Record | None]) -> CellVerdict:
    """Run the test cell's trusted source against the recorded outcomes."""
    replayer = Replayer(records)
    names = _Names(namespace)
    message = ""
    core.grading.replay = replayer
    try:
        with redirect_stdout(io.StringIO()):
            exec(compile(source, f"<test cell {grade_id}>", "exec"), {"__builtins__": builtins}, names)
        completed = True
    except CheckFailure as failure:
        completed, message = False, failure.verdict.check
    except Exception as error:
        completed, message = False, f"the test stopped: {type(error).__name__}: {_short(str(error), 150)}"
    finally:
        core.grading.replay = None
    passed = completed and bool(replayer.verdicts) and all(v.passed for v in replayer.verdicts)
    return CellVerdict(passed, replayer.verdicts, message, replayer.mismatch, len(records))
