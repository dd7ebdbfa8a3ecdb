"""What crosses the sandbox boundary, and how: JSON and safetensors, never pickle.

A **job** is a folder the grader writes and the sandboxed runner reads:

* ``job.json``: the grading program (cells, in order) and, per exercise, the cases to call:
  which harness call, on which objects, with which inputs;
* ``inputs.safetensors``: every tensor the inputs hold, by key.

The runner answers with ``outputs.safetensors``: the tensors each case produced (key
``"<case id>/<name>"``) and, in its metadata, one JSON record per case (the error's type, message
and line when the student's code raised) and per program cell, plus timings.

Values in inputs are tensors, ``None``, booleans, numbers, strings, ``torch.dtype`` and lists,
tuples and string-keyed dicts of these; anything else is refused when the job is written.
The reader of outputs (the grader, outside the sandbox) opens the file without following links,
caps its size, and checks every field, since the student's process wrote it.
"""

from __future__ import annotations

import json
import os
import stat
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

FORMAT = "vitlab-job/2"
JOB_FILE, INPUTS_FILE, OUTPUTS_FILE = "job.json", "inputs.safetensors", "outputs.safetensors"
MAX_OUTPUT_BYTES = 64 * 1024 * 1024
MAX_TEXT = 400  # characters of student-controlled text kept per field

Tensors = dict[str, torch.Tensor]
Inputs = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What the student's code produced on the checker's inputs: plain tensors, or an error."""

    tensors: Tensors = field(default_factory=dict)
    error_type: str | None = None
    error_message: str = ""
    error_line: str = ""  # "line 7 of cell patchify: raise NotImplementedError()"

    @property
    def raised(self) -> bool:
        return self.error_type is not None


@dataclass(frozen=True)
class CaseCall:
    """One call the runner makes: ``call(objects, inputs)`` with the objects named ``names``."""

    case_id: str  # "test_patchify/3"
    call: str  # "vitlab.harness.calls.patchify:patchify"
    names: tuple[str, ...]
    inputs: Inputs


@dataclass(frozen=True)
class ProgramCell:
    role: str  # setup | answer | added
    label: str  # "patchify" (a grade id) or "added cell 3"
    source: str


@dataclass(frozen=True)
class CellReport:
    """How one program cell ran (reported by the runner; informative only, never scored)."""

    label: str
    role: str
    error_type: str | None = None
    error_message: str = ""
    error_line: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class RunReport:
    """Everything the runner hands back."""

    outcomes: dict[str, Outcome]
    cells: list[CellReport]
    timings: dict[str, float]
    output_bytes: int = 0  # what the program printed
    output_truncated: bool = False


# --------------------------------------------------------------------------------------------------
# Inputs: plain values to JSON, tensors to safetensors


def _encode(value: Any, key: str, tensors: Tensors) -> Any:
    if isinstance(value, torch.Tensor):
        name = f"t{len(tensors)}"
        tensors[name] = value.detach().to("cpu").contiguous()
        return {"__tensor__": name}
    if isinstance(value, torch.dtype):
        return {"__dtype__": str(value).removeprefix("torch.")}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, f"{key}[{i}]", tensors) for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, f"{key}[{i}]", tensors) for i, v in enumerate(value)]
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        if any(k.startswith("__") for k in value):
            raise TypeError(f"input {key}: keys may not start with '__'")
        return {k: _encode(v, f"{key}.{k}", tensors) for k, v in value.items()}
    raise TypeError(f"input {key} is a {type(value).__name__}; inputs hold tensors and plain values only")


def _decode(value: Any, tensors: Tensors) -> Any:
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    if isinstance(value, dict):
        if "__tensor__" in value:
            return tensors[value["__tensor__"]]
        if "__dtype__" in value:
            dtype = getattr(torch, str(value["__dtype__"]), None)
            if not isinstance(dtype, torch.dtype):
                raise ValueError(f"unknown dtype {value['__dtype__']!r}")
            return dtype
        if "__tuple__" in value:
            return tuple(_decode(v, tensors) for v in value["__tuple__"])
        return {k: _decode(v, tensors) for k, v in value.items()}
    return value


def write_job(
    folder: Path, program: list[ProgramCell], calls: list[CaseCall], settings: Mapping[str, Any]
) -> None:
    """The job folder the runner reads (written by the grader or ``make check``)."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tensors: Tensors = {}
    job = {
        "format": FORMAT,
        "settings": dict(settings),
        "program": [{"role": c.role, "label": c.label, "source": c.source} for c in program],
        "calls": [
            {
                "case_id": c.case_id,
                "call": c.call,
                "names": list(c.names),
                "inputs": _encode(c.inputs, c.case_id, tensors),
            }
            for c in calls
        ],
    }
    save_file(tensors, str(folder / INPUTS_FILE))
    (folder / JOB_FILE).write_text(json.dumps(job))
    for name in (INPUTS_FILE, JOB_FILE):  # readable by the sandbox's own user id (safetensors writes 0600)
        os.chmod(folder / name, 0o644)


def read_job(folder: Path) -> tuple[list[ProgramCell], list[CaseCall], dict[str, Any]]:
    from safetensors.torch import load_file

    job = json.loads((folder / JOB_FILE).read_text())
    if job.get("format") != FORMAT:
        raise ValueError(f"{folder / JOB_FILE}: not a {FORMAT} job")
    tensors = load_file(str(folder / INPUTS_FILE))
    program = [ProgramCell(c["role"], c["label"], c["source"]) for c in job["program"]]
    calls = [
        CaseCall(c["case_id"], c["call"], tuple(c["names"]), _decode(c["inputs"], tensors))
        for c in job["calls"]
    ]
    return program, calls, dict(job.get("settings") or {})


# --------------------------------------------------------------------------------------------------
# Outputs: written inside the sandbox, read outside


def _short(text: Any, limit: int = MAX_TEXT) -> str:
    text = str(text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_outputs(folder: Path, report: RunReport) -> None:
    """Write the runner's report atomically (a partial file is never read as a result)."""
    from safetensors.torch import save_file

    tensors: Tensors = {}
    cases: dict[str, dict] = {}
    for case_id, outcome in report.outcomes.items():
        cases[case_id] = {
            "error_type": outcome.error_type,
            "error_message": _short(outcome.error_message),
            "error_line": _short(outcome.error_line, 300),
            "keys": sorted(outcome.tensors),
        }
        for key, value in outcome.tensors.items():
            tensors[f"{case_id}/{key}"] = value.detach().to("cpu").contiguous().clone()
    meta = {
        "format": FORMAT,
        "cases": json.dumps(cases),
        "cells": json.dumps([c.__dict__ for c in report.cells]),
        "timings": json.dumps(report.timings),
        "output": json.dumps({"bytes": report.output_bytes, "truncated": report.output_truncated}),
    }
    partial = folder / (OUTPUTS_FILE + ".partial")
    save_file(tensors, str(partial), metadata=meta)
    os.replace(partial, folder / OUTPUTS_FILE)


def _read_regular_file(path: Path, limit: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("the outputs are not a regular file")
        if info.st_size > limit:
            raise ValueError(f"the outputs are {info.st_size} bytes, more than the limit of {limit}")
        with os.fdopen(fd, "rb") as f:
            fd = -1
            return f.read(limit + 1)
    finally:
        if fd >= 0:
            os.close(fd)


def read_outputs(folder: Path, limit: int = MAX_OUTPUT_BYTES) -> RunReport:
    """The runner's report, read without following links and without unpickling anything.

    Raises ValueError when the file is missing, malformed or too large.
    """
    from safetensors.torch import load

    path = folder / OUTPUTS_FILE
    try:
        data = _read_regular_file(path, limit)
    except FileNotFoundError as error:
        raise ValueError("the program wrote no outputs") from error
    except OSError as error:  # a link (O_NOFOLLOW), a folder, a fifo...
        raise ValueError(f"the outputs cannot be read safely ({error.strerror})") from error
    try:
        (size,) = struct.unpack("<Q", data[:8])
        meta = json.loads(data[8 : 8 + size]).get("__metadata__") or {}
        tensors = load(data)
    except Exception as error:
        raise ValueError(f"the outputs are not a valid safetensors file ({type(error).__name__})") from error
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError("the outputs are not in the expected format")
    try:
        cases = json.loads(meta.get("cases", "{}"))
        cells = json.loads(meta.get("cells", "[]"))
        timings = json.loads(meta.get("timings", "{}"))
        output = json.loads(meta.get("output", "{}"))
    except json.JSONDecodeError as error:
        raise ValueError("the outputs' records are not valid JSON") from error
    outcomes: dict[str, Outcome] = {}
    for case_id, record in cases.items() if isinstance(cases, dict) else []:
        if not isinstance(record, dict):
            continue
        keys = record.get("keys") if isinstance(record.get("keys"), list) else []
        error_type = record.get("error_type")
        outcomes[str(case_id)] = Outcome(
            tensors={str(k): tensors[f"{case_id}/{k}"] for k in keys if f"{case_id}/{k}" in tensors},
            error_type=_short(error_type, 80) if error_type else None,
            error_message=_short(record.get("error_message")),
            error_line=_short(record.get("error_line"), 300),
        )
    reports = []
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict):
            reports.append(
                CellReport(
                    label=_short(cell.get("label"), 80),
                    role=_short(cell.get("role"), 20),
                    error_type=_short(cell.get("error_type"), 80) or None,
                    error_message=_short(cell.get("error_message")),
                    error_line=_short(cell.get("error_line"), 300),
                    seconds=float(cell.get("seconds") or 0.0)
                    if isinstance(cell.get("seconds"), int | float)
                    else 0.0,
                )
            )
    clean_timings = (
        {str(k): float(v) for k, v in timings.items() if isinstance(v, int | float)}
        if isinstance(timings, dict)
        else {}
    )
    output = output if isinstance(output, dict) else {}
    return RunReport(
        outcomes,
        reports,
        clean_timings,
        int(output.get("bytes") or 0) if isinstance(output.get("bytes"), int) else 0,
        bool(output.get("truncated")),
    )
