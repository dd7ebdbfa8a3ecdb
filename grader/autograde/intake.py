"""Submissions as a learning-management system exports them: a folder of per-student ``.zip`` files.

``<student>.zip`` holds the student's notebooks, as ``<assignment>/<notebook>.ipynb`` at any depth
(a top folder such as ``notebooks/`` is fine) or as a bare ``<notebook>.ipynb`` whose name belongs
to exactly one assignment. Nothing is ever extracted with ``extractall``: each wanted member is
read with a size cap and written to a path the grader builds itself, so a member named
``../../x``, an absolute path, a symlink or a zip bomb cannot write anywhere else; each such member
becomes a :class:`~grader.autograde.collect.Problem`. Folders and zips can be mixed; a student present as
both is graded from the folder and the zip is reported. The notebook entry's time is written next to it
as ``timestamp.txt`` (:mod:`.timestamps`): the submission time the late policy uses.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

from grader.autograde import timestamps
from grader.autograde.collect import SAFE_ID, Problem, Submission, collect, expected_notebooks

MAX_MEMBER = 20 * 1024 * 1024  # one notebook
MAX_TOTAL = 100 * 1024 * 1024  # one student's zip, unpacked
MAX_MEMBERS = 1000
SKIP = ("__MACOSX/", ".ipynb_checkpoints/")


def _place(parts: tuple[str, ...], expected: dict[str, list[str]]) -> tuple[str, str] | None:
    stem = parts[-1][: -len(".ipynb")]
    if len(parts) >= 2 and parts[-2] in expected and stem in expected[parts[-2]]:
        return parts[-2], stem
    owners = [a for a, names in expected.items() if stem in names]
    return (owners[0], stem) if len(owners) == 1 else None


def unpack(zip_path: Path, target: Path) -> list[Problem]:
    """Write the notebooks of one student's zip under ``target/<student>/``; problems for the rest."""
    student = zip_path.stem
    if not SAFE_ID.match(student):
        return [Problem(zip_path, "name the zip after the student id (letters, digits, '.', '_', '-', '@')")]
    expected = expected_notebooks()
    problems: list[Problem] = []
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as error:
        return [Problem(zip_path, f"is not a readable zip file ({error}); export the submission again")]
    written: set[tuple[str, str]] = set()
    total = 0
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            return [Problem(zip_path, f"holds {len(members)} files; at most {MAX_MEMBERS} are accepted")]
        for info in members:
            name = info.filename
            if info.is_dir() or any(s in name for s in SKIP) or not name.endswith(".ipynb"):
                continue
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                problems.append(Problem(zip_path, f"{name}: unsafe path inside the zip; skipped"))
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append(Problem(zip_path, f"{name}: is a symbolic link; submit the notebook itself"))
                continue
            place = _place(parts, expected)
            if place is None:
                problems.append(
                    Problem(
                        zip_path,
                        f"{name}: not a notebook of this course; expected <assignment>/<notebook>.ipynb",
                    )
                )
                continue
            if place in written:
                problems.append(
                    Problem(
                        zip_path,
                        f"{name}: a second copy of {place[0]}/{place[1]}.ipynb; the first one is graded",
                    )
                )
                continue
            if info.file_size > MAX_MEMBER or total + info.file_size > MAX_TOTAL:
                problems.append(Problem(zip_path, f"{name}: too large ({info.file_size} bytes unpacked)"))
                continue
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_MEMBER + 1)  # the header may lie: cap what is read
            except Exception as error:
                problems.append(Problem(zip_path, f"{name}: could not be read ({type(error).__name__})"))
                continue
            if len(data) > MAX_MEMBER:
                problems.append(Problem(zip_path, f"{name}: too large unpacked"))
                continue
            total += len(data)
            out = target / student / place[0] / f"{place[1]}.ipynb"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            timestamps.write_zip_time(out.parent, info.date_time)
            written.add(place)
    if not written and not problems:
        problems.append(Problem(zip_path, "holds no notebook of this course"))
    return problems


def gather(folder: Path, staging: Path) -> tuple[list[Submission], list[Problem]]:
    """Submissions from student folders and from ``<student>.zip`` files side by side."""
    folder = Path(folder)
    submissions, problems = collect(folder)
    zips = (
        sorted(p for p in folder.glob("*.zip") if p.is_file() and not p.is_symlink())
        if folder.is_dir()
        else []
    )
    problems = [p for p in problems if not (p.path.suffix == ".zip" and p.path in zips)]
    if not zips:
        return submissions, problems
    have = {s.student for s in submissions}
    for zip_path in zips:
        if zip_path.stem in have:
            problems.append(Problem(zip_path, f"{zip_path.stem} also has a folder; the folder is graded"))
            continue
        problems += unpack(zip_path, staging)
    if staging.is_dir():
        unpacked, more = collect(staging)
        submissions += [s for s in unpacked if s.student not in have]
        problems += more
    return sorted(submissions, key=lambda s: s.key), problems
