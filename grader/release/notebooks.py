"""Regenerate the student release (notebooks/) from solutions/ with nbgrader.

    python -m grader.release            # write notebooks/
    python -m grader.release --into DIR # write the release elsewhere (the sync test compares)

nbgrader clears solutions, hidden tests and outputs, and locks the test cells. Afterwards every
release notebook is checked for leaks: no solution or hidden-test markers, no line of a solution
region, no outputs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from grader import course

LEAK_MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "vitlab.hidden",
    "from instructor",
    "import instructor",
)


class ReleaseError(RuntimeError):
    pass


def generate(into: Path) -> list[Path]:
    """Generate every assignment's release into ``into``; returns the notebooks written."""
    with tempfile.TemporaryDirectory(prefix="vitlab-release-") as scratch:
        scratch = Path(scratch)
        (scratch / "solutions").symlink_to(course.SOLUTIONS)
        cfg = course.config(scratch, release_directory="release")
        nbgrader = course.api(cfg)
        for assignment in course.assignments():
            result = nbgrader.generate_assignment(assignment, force=True, create=True)
            if not result["success"]:
                raise ReleaseError(f"nbgrader could not release {assignment}:\n{result['log']}")
        written = []
        for assignment in course.assignments():
            target = into / assignment
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(scratch / "release" / assignment, target)
            written += [normalise(p) for p in sorted(target.glob("*.ipynb"))]
    return written


def normalise(path: Path) -> Path:
    """Stable bytes: sorted keys, one indent, trailing newline (so a second release changes nothing)."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return path


def leaks(release_nb: Path, solution_nb: Path) -> list[str]:
    """Everything in a released notebook that a student must not see."""
    text = release_nb.read_text()
    found = [f"marker '{m}'" for m in LEAK_MARKERS if m in text]
    nb = nbformat.read(release_nb, as_version=4)
    if any(c.get("outputs") for c in nb.cells if c.cell_type == "code"):
        found.append("cell outputs")
    released_code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    solution = nbformat.read(solution_nb, as_version=4)
    secret, public = [], set()
    for cell in solution.cells:
        if cell.cell_type != "code":
            continue
        region = None
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                region = marker
            elif marker in ("### END SOLUTION", "### END HIDDEN TESTS"):
                region = None
            elif region is None:
                public.add(marker)
            elif len(marker) > 12:
                secret.append((region, marker))
    for region, line in secret:  # a secret line also written in public code is no secret
        if line not in public and line in released_code:
            kind = "solution" if "SOLUTION" in region else "hidden test"
            found.append(f"{kind} line '{line}'")
    return found


def check_all(release_dir: Path) -> list[str]:
    problems = []
    for assignment in course.assignments():
        for solution_nb in course.notebooks(assignment):
            release_nb = release_dir / assignment / solution_nb.name
            if not release_nb.exists():
                problems.append(f"{release_nb}: missing from the release")
                continue
            problems += [
                f"{release_nb.relative_to(release_dir.parent)}: {leak}"
                for leak in leaks(release_nb, solution_nb)
            ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--into", type=Path, default=course.RELEASE, help="release folder (default: notebooks/)"
    )
    args = parser.parse_args(argv)
    args.into.mkdir(parents=True, exist_ok=True)
    written = generate(args.into)
    problems = check_all(args.into)
    for problem in problems:
        print(f"LEAK {problem}", file=sys.stderr)
    if problems:
        return 1
    for path in written:
        print(f"released {path.relative_to(args.into.parent) if args.into.parent in path.parents else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
