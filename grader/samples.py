"""Sample submissions: what a student would hand in, written as cell replacements.

A sample is a file ``tests/samples/<assignment>/<name>.py``::

    \"\"\"One line saying what the sample reproduces.\"\"\"
    # expect: test_patchify: patches come out column-major (down the first column of patches first)
    # %% patchify
    def patchify(images, patch_size):
        ...

Each ``# %% <grade_id>`` section replaces that answer cell of the released notebook (``# %% +<grade_id>``
adds a new cell after that cell, as a student adding a helper in a cell of their own would); answer cells
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

from vitlab import cells

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "samples"
ATTACKS = SAMPLES / "attacks"
_SECTION = re.compile(r"^# %% (\S+)\s*$", re.M)
_EXPECT = re.compile(r"^# expect: (\S+): (.+)$", re.M)
_VERDICT = re.compile(r"^# verdict: (\S+): (pass|fail)(?:: (.+))?$", re.M)
CORPUS = ROOT / "tests" / "corpus"


@dataclass(frozen=True)
class Sample:
    name: str
    assignment: str
    description: str
    cells: dict[str, str] = field(default_factory=dict)  # grade_id -> source
    added: tuple[
        tuple[str, str], ...
    ] = ()  # (grade id of the cell it follows, source): cells the student added
    expects: tuple[tuple[str, str], ...] = ()  # (test cell grade_id, mistake name)
    verdicts: tuple[
        tuple[str, str, str], ...
    ] = ()  # corpus: (test cell, "pass" | "fail", words the diagnosis says)
    blank: bool = False


grade_id, is_answer, is_test = cells.grade_id, cells.is_answer, cells.is_test
strip_markers, blank_answer, public_part = cells.strip_markers, cells.blank_answer, cells.public_part


def load(path: Path) -> Sample:
    text = path.read_text()
    description = (ast.get_docstring(ast.parse(text)) or "").strip()
    parts = _SECTION.split(text)
    sections = [(gid, body.strip("\n") + "\n") for gid, body in zip(parts[1::2], parts[2::2], strict=True)]
    answers = {gid: body for gid, body in sections if not gid.startswith("+")}
    added = tuple((gid[1:], body) for gid, body in sections if gid.startswith("+"))
    expects = tuple((test, mistake.strip()) for test, mistake in _EXPECT.findall(parts[0]))
    verdicts = tuple((test, kind, words.strip()) for test, kind, words in _VERDICT.findall(parts[0]))
    return Sample(
        path.stem, path.parent.name, description, answers, added=added, expects=expects, verdicts=verdicts
    )


def reference(assignment: str) -> Sample:
    return Sample("reference", assignment, "the reference solution")


def blank(assignment: str) -> Sample:
    return Sample("blank", assignment, "the release as handed out, nothing filled in", blank=True)


def all_samples(assignment: str, attacks: bool = False) -> list[Sample]:
    files = []
    for folder in [SAMPLES / assignment] + ([ATTACKS / assignment] if attacks else []):
        files += sorted(folder.glob("*.py")) if folder.is_dir() else []
    return [reference(assignment), blank(assignment)] + [load(p) for p in files]


def corpus(assignment: str) -> list[Sample]:
    """Answers written the way students write them (tests/corpus/<assignment>/): correct ones written
    differently from the reference (``# verdict: <test>: pass``) and wrong ones beyond the catalogue
    (``# verdict: <test>: fail: <words the diagnosis must say>``)."""
    folder = CORPUS / assignment
    return [load(p) for p in sorted(folder.glob("*.py"))] if folder.is_dir() else []


def reference_answers(solution: nbformat.NotebookNode) -> dict[str, str]:
    return {grade_id(c): strip_markers(c.source) for c in solution.cells if is_answer(c)}


def fill(
    release: nbformat.NotebookNode, solution: nbformat.NotebookNode, sample: Sample
) -> nbformat.NotebookNode:
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
        raise KeyError(
            f"sample {sample.assignment}/{sample.name} names unknown answer cells {sorted(unknown)}"
        )
    answers.update(sample.cells)
    written = {grade_id(c): strip_markers(c.source) for c in solution.cells if cells.is_written_answer(c)}
    for cell in submission.cells:
        if is_answer(cell):
            cell.source = answers[grade_id(cell)]
        elif (
            cells.is_written_answer(cell) and grade_id(cell) in written
        ):  # a finished student wrote something
            cell.source = written[grade_id(cell)]
    for after, source in sample.added:  # a new cell, as JupyterLab makes one: no nbgrader metadata
        index = next(i for i, c in enumerate(submission.cells) if grade_id(c) == after)
        submission.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return submission


def write_class(
    folder: Path, assignments: list[str] | None = None, names: list[str] | None = None, attacks: bool = False
) -> list[Path]:
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


def solution_notebook(assignment: str) -> nbformat.NotebookNode:
    from grader import course

    (path,) = course.notebooks(assignment)
    return nbformat.read(path, as_version=4)


def release_notebook(assignment: str) -> nbformat.NotebookNode:
    from grader import course

    (path,) = course.notebooks(assignment)
    return nbformat.read(course.RELEASE / assignment / path.name, as_version=4)


def judge(assignment: str, sample: Sample, *, hidden: bool):
    """grade id -> ExerciseResult for a sample, its program run in this process (trusted samples only:
    no sandbox; the attacks go through the real grader in tests/test_autograde.py)."""
    import tempfile

    from vitlab.checks import program, session
    from vitlab.harness import runner, wire

    solution = solution_notebook(assignment)
    submitted = fill(release_notebook(assignment), solution, sample)
    prog = program.build(submitted, solution)
    plan = session.plan_notebook(prog.test_ids, hidden=hidden)
    with tempfile.TemporaryDirectory(prefix="vitlab-sample-") as folder:
        wire.write_job(Path(folder), list(prog.cells), plan.calls(), {})
        report = runner.run_job(Path(folder))
    return session.judge_outcomes(plan, report.outcomes, prog.student_cells, prog.setup_sources)


if __name__ == "__main__":
    import sys

    for path in write_class(Path(sys.argv[1]), sys.argv[2:] or None):
        print(path)
