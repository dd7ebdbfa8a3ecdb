"""Sample submissions: what a student would hand in, written as cell replacements.

A sample is a file ``tests/samples/<assignment>/<name>.py``::

    \"\"\"One line saying what the sample reproduces.\"\"\"
    # expect: test_patchify: patches come out column-major (down the first column of patches first)
    # %% patchify
    def patchify(images, patch_size):
        ...

Each ``# %% <grade_id>`` section replaces that answer cell of the released notebook; answer cells
the sample does not name get the reference answer (the solution cell without its markers). The two
special samples ``reference`` and ``blank`` need no file. ``# expect: <test cell>: <mistake>`` lines
say which public test must fail and the catalogued mistake it must name (tests/test_catalogue.py).

``tests/samples/attacks/<assignment>/`` holds attacks on the grader written the same way (a
monkeypatched ``torch.allclose``, fake checks, an IPython input transformer, ``os._exit``, an endless
loop, a memory bomb...); they are not mistakes of the catalogue, so only the autograding tests use
them (``write_class(..., attacks=True)``).
"""
from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "samples"
ATTACKS = SAMPLES / "attacks"
_SECTION = re.compile(r"^# %% (\S+)\s*$", re.M)
_EXPECT = re.compile(r"^# expect: (\S+): (.+)$", re.M)


@dataclass(frozen=True)
class Sample:
    name: str
    assignment: str
    description: str
    cells: dict[str, str] = field(default_factory=dict)  # grade_id -> source
    expects: tuple[tuple[str, str], ...] = ()  # (test cell grade_id, mistake name)
    blank: bool = False


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_answer(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("solution"))


def is_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def strip_markers(source: str) -> str:
    """The reference answer as a student would write it: solution markers and hidden tests removed."""
    kept, hidden = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker in ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"):
            hidden = marker.startswith("### BEGIN")
            continue
        if hidden or marker in ("### BEGIN SOLUTION", "### END SOLUTION"):
            continue
        kept.append(line)
    return "\n".join(kept)


STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def blank_answer(source: str) -> str:
    """An answer cell as released: each solution region replaced by nbgrader's stub."""
    kept, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == "### BEGIN SOLUTION":
            indent = line[: len(line) - len(line.lstrip())]
            kept += [indent + STUB[0], indent + STUB[1]]
            inside = True
        elif marker == "### END SOLUTION":
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def public_part(source: str) -> str:
    """A test cell's visible part (what the student's release shows)."""
    return source.split("### BEGIN HIDDEN TESTS")[0].rstrip()


def load(path: Path) -> Sample:
    text = path.read_text()
    description = (ast.get_docstring(ast.parse(text)) or "").strip()
    parts = _SECTION.split(text)
    cells = {gid: body.strip("\n") + "\n" for gid, body in zip(parts[1::2], parts[2::2])}
    expects = tuple((test, mistake.strip()) for test, mistake in _EXPECT.findall(parts[0]))
    return Sample(path.stem, path.parent.name, description, cells, expects)


def reference(assignment: str) -> Sample:
    return Sample("reference", assignment, "the reference solution")


def blank(assignment: str) -> Sample:
    return Sample("blank", assignment, "the release as handed out, nothing filled in", blank=True)


def all_samples(assignment: str, attacks: bool = False) -> list[Sample]:
    files = []
    for folder in [SAMPLES / assignment] + ([ATTACKS / assignment] if attacks else []):
        files += sorted(folder.glob("*.py")) if folder.is_dir() else []
    return [reference(assignment), blank(assignment)] + [load(p) for p in files]


def reference_answers(solution: nbformat.NotebookNode) -> dict[str, str]:
    return {grade_id(c): strip_markers(c.source) for c in solution.cells if is_answer(c)}


def fill(release: nbformat.NotebookNode, solution: nbformat.NotebookNode, sample: Sample) -> nbformat.NotebookNode:
    """The notebook a student with this sample's answers would submit."""
    submission = copy.deepcopy(release)
    if sample.blank:
        for cell in submission.cells:
            if is_answer(cell) and "### BEGIN SOLUTION" in cell.source:
                cell.source = blank_answer(cell.source)
        return submission
    answers = reference_answers(solution)
    unknown = set(sample.cells) - set(answers)
    if unknown:
        raise KeyError(f"sample {sample.assignment}/{sample.name} names unknown answer cells {sorted(unknown)}")
    answers.update(sample.cells)
    for cell in submission.cells:
        if is_answer(cell):
            cell.source = answers[grade_id(cell)]
    return submission


def write_class(folder: Path, assignments: list[str] | None = None, names: list[str] | None = None,
                attacks: bool = False) -> list[Path]:
    """A class of sample students: folder/<sample>/<assignment>/<notebook>.ipynb from the release."""
    from grader import course

    written = []
    for assignment in assignments or course.assignments():
        for solution_path in course.notebooks(assignment):
            solution = nbformat.read(solution_path, as_version=4)
            release = nbformat.read(course.RELEASE / assignment / solution_path.name, as_version=4)
            for sample in all_samples(assignment, attacks):
                if names is not None and sample.name not in names:
                    continue
                target = folder / sample.name / assignment / solution_path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(fill(release, solution, sample), target)
                written.append(target)
    return written


if __name__ == "__main__":
    import sys

    for path in write_class(Path(sys.argv[1]), sys.argv[2:] or None):
        print(path)
