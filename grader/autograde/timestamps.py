"""When each assignment was handed in: nbgrader's ``timestamp.txt`` or the LMS zip entry's time.

nbgrader writes ``<student>/<assignment>/timestamp.txt`` when a student submits (``2026-10-01
12:34:56.789 UTC``); :mod:`.intake` writes the same file for a notebook taken from ``<student>.zip``,
with the zip entry's time (zip times carry no time zone: the late policy says which zone they are
in). A grading run records every time it found in ``runs/<run>/times.json``, so the late policy is
applied later from the immutable run, never from a submissions folder that may have changed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

FILE = "timestamp.txt"
RECORD = "times.json"
#: where a time came from
NBGRADER, ZIP_ENTRY = "nbgrader timestamp.txt", "zip entry time"
#: the first line of a timestamp.txt written by intake (the second line says where it came from)
ZIP_MARK = "# zip entry time"


@dataclass(frozen=True)
class SubmissionTime:
    """When one assignment was handed in. ``at`` is ISO 8601; without an offset it is local time, in the
    zone the late policy names."""

    at: str
    source: str

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.at)


def parse(text: str) -> datetime | None:
    """A timestamp as nbgrader writes it (``2026-10-01 12:34:56.789 UTC``), or ISO 8601; None if neither."""
    line = next((x.strip() for x in text.splitlines() if x.strip() and not x.startswith("#")), "")
    zone = None
    for suffix in (" UTC", " GMT", "Z"):
        if line.endswith(suffix):
            line, zone = line[: -len(suffix)], UTC
    try:
        when = datetime.fromisoformat(line)
    except ValueError:
        return None
    return when.replace(tzinfo=zone) if zone is not None and when.tzinfo is None else when


def read(folder: Path) -> SubmissionTime | None:
    """The time recorded in ``folder/timestamp.txt`` (an assignment folder), if any and readable."""
    path = folder / FILE
    if not path.is_file() or path.is_symlink():
        return None
    try:
        text = path.read_text(errors="replace")[:1000]
    except OSError:
        return None
    when = parse(text)
    if when is None:
        return None
    return SubmissionTime(when.isoformat(), ZIP_ENTRY if text.startswith(ZIP_MARK) else NBGRADER)


def write_zip_time(folder: Path, date_time: tuple[int, int, int, int, int, int]) -> None:
    """What intake writes next to a notebook taken from a zip: the entry's (zone-less) time."""
    when = datetime(*date_time)
    (folder / FILE).write_text(f"{ZIP_MARK}\n{when.isoformat(sep=' ')}\n")


def key(student: str, assignment: str) -> str:
    return f"{student}/{assignment}"


def record(run_dir: Path, found: dict[str, SubmissionTime]) -> None:
    from grader.autograde.store import atomic_write

    atomic_write(run_dir / RECORD, json.dumps({k: asdict(v) for k, v in sorted(found.items())}, indent=1))


def recorded(run_dir: Path) -> dict[str, SubmissionTime]:
    """student/assignment -> time, as the run recorded them (empty for runs made before times were kept)."""
    try:
        data = json.loads((run_dir / RECORD).read_text())
        return {k: SubmissionTime(str(v["at"]), str(v["source"])) for k, v in data.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
