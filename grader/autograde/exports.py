"""Grades in the files learning-management systems import: Canvas, Moodle, Gradescope.

    python -m grader.autograde.exports OUT [--roster roster.csv] [--canvas-assignment NAME=ID ...]
                                           [--upload-canvas --canvas-course ID]      (make export)

writes, from OUT's rebuilt sheet (final scores: autograded + written - late penalty):

* ``OUT/export/canvas.csv``: Canvas's gradebook import (``Student, ID, SIS User ID, SIS Login ID,
  Section``, a ``Points Possible`` row, then one column per assignment, ``<name> (<Canvas id>)``
  when the id is known so that Canvas matches the existing column instead of creating one);
* ``OUT/export/moodle.csv``: Moodle's grade import (an identifier column to map onto a user field,
  then a grade and a feedback column per assignment, mapped onto grade items when importing);
* ``OUT/export/gradescope/<assignment>/<student>/results.json``: Gradescope's autograder results
  (``score``, ``execution_time``, ``output``, ``tests`` with ``score``, ``max_score``, ``status``,
  ``output``, ``visibility``).

The same Canvas and Moodle files come from nbgrader's own exporter mechanism, from the gradebook
(manual grades and late penalties included, see :mod:`.gradebook`):
``nbgrader export --exporter=grader.autograde.exports.CanvasExport --to canvas.csv`` (or
``MoodleExport``), run in OUT (its ``nbgrader_config.py`` names the gradebook).

A roster CSV (column ``student``, optional ``name, email, canvas_id, sis_user_id, sis_login_id,
section``) fills the identity columns; without one, the student id is used as the SIS login id.
``--upload-canvas`` posts the grades through the Canvas API (``canvasapi``) instead of a file: it needs
``CANVAS_URL`` and ``CANVAS_TOKEN`` in the environment and an explicit ``--canvas-course``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbgrader.plugins import ExportPlugin
from traitlets import Dict, Unicode

from grader.autograde.sheet import GradeRow

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTITY = ["Username", "Full name", "Email address"]
ROSTER_COLUMNS = ["student", "name", "email", "canvas_id", "sis_user_id", "sis_login_id", "section"]
GRADESCOPE_VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")


class ExportError(ValueError):
    """Input the export cannot use; the message says which file and what to do."""


@dataclass(frozen=True)
class Person:
    student: str
    name: str = ""
    email: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""

    @property
    def login(self) -> str:
        return self.sis_login_id or self.student


@dataclass(frozen=True)
class AssignmentGrade:
    """One student's grade for one assignment, as an LMS takes it."""

    student: str
    assignment: str
    score: float
    max_score: float
    penalty: float = 0.0
    feedback: str = ""
    rows: tuple[GradeRow, ...] = field(default=(), compare=False)


def read_roster(path: Path | None) -> dict[str, Person]:
    if path is None:
        return {}
    try:
        with Path(path).open(newline="") as f:
            reader = csv.DictReader(f)
            if "student" not in (reader.fieldnames or []):
                raise ExportError(
                    f"{path}: a roster needs a 'student' column (the grader's student ids); "
                    f"optional columns: {', '.join(ROSTER_COLUMNS[1:])}"
                )
            people = {}
            for row in reader:
                values = {k: (row.get(k) or "").strip() for k in ROSTER_COLUMNS}
                if values["student"]:
                    people[values["student"]] = Person(**values)
            return people
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ExportError(f"{path}: the roster cannot be read ({error}); give a CSV file") from None


def by_assignment(rows: Iterable[GradeRow]) -> list[AssignmentGrade]:
    """The sheet's notebook rows summed per (student, assignment)."""
    groups: dict[tuple[str, str], list[GradeRow]] = {}
    for row in rows:
        groups.setdefault((row.result.student, row.result.assignment), []).append(row)
    grades = []
    for (student, assignment), group in sorted(groups.items()):
        notes = [f"{r.result.notebook}: {r.decision.note}" for r in group if r.decision.penalty]
        grades.append(
            AssignmentGrade(
                student,
                assignment,
                sum(r.final_score for r in group),
                sum(r.max_score for r in group),
                sum(r.decision.penalty for r in group),
                "; ".join(notes),
                tuple(group),
            )
        )
    return grades


def _n(value: float) -> str:
    return f"{round(value, 4):g}"


def canvas_csv(
    grades: Sequence[AssignmentGrade], roster: dict[str, Person], canvas_ids: dict[str, str] | None = None
) -> str:
    canvas_ids = canvas_ids or {}
    assignments = sorted({g.assignment for g in grades})
    maxima = {g.assignment: g.max_score for g in grades}
    titles = [f"{a} ({canvas_ids[a]})" if a in canvas_ids else a for a in assignments]
    table = {(g.student, g.assignment): g for g in grades}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CANVAS_IDENTITY + titles)
    writer.writerow(["    Points Possible", "", "", "", ""] + [_n(maxima[a]) for a in assignments])
    for student in sorted({g.student for g in grades}):
        p = roster.get(student, Person(student))
        scores = [_n(table[(student, a)].score) if (student, a) in table else "" for a in assignments]
        writer.writerow([p.name or student, p.canvas_id, p.sis_user_id, p.login, p.section] + scores)
    return buffer.getvalue()


def moodle_csv(grades: Sequence[AssignmentGrade], roster: dict[str, Person]) -> str:
    assignments = sorted({g.assignment for g in grades})
    table = {(g.student, g.assignment): g for g in grades}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MOODLE_IDENTITY + [c for a in assignments for c in (a, f"{a} feedback")])
    for student in sorted({g.student for g in grades}):
        p = roster.get(student, Person(student))
        cells: list[str] = []
        for a in assignments:
            g = table.get((student, a))
            cells += [_n(g.score), g.feedback] if g else ["", ""]
        writer.writerow([p.login, p.name, p.email] + cells)
    return buffer.getvalue()


def _cell_output(cell: Any) -> str:
    failing = [c for c in cell.checks if not c.passed]
    if not failing:
        return "All checks passed."
    first = failing[0]
    more = f"\n({len(failing) - 1} more failing check(s) on the feedback page)" if len(failing) > 1 else ""
    return f"{first.check}: {first.message}{more}"


def gradescope_results(grade: AssignmentGrade, visibility: str = "after_published") -> dict[str, Any]:
    """Gradescope's results.json for one student's assignment: one test per test cell and written answer."""
    tests: list[dict[str, Any]] = []
    seconds = 0.0
    notes = []
    for row in grade.rows:
        r = row.result
        seconds += float(r.timings.get("total", 0.0))
        if r.status != "ok":
            notes.append(f"{r.notebook}: {r.status}: {r.message}")
        for cell in r.cells:
            tests.append(
                {
                    "name": f"{r.notebook}: {cell.title}",
                    "number": cell.grade_id,
                    "score": cell.score if r.status == "ok" else 0.0,
                    "max_score": cell.points,
                    "status": "passed" if r.status == "ok" and cell.score == cell.points else "failed",
                    "output": _cell_output(cell) if r.status == "ok" else r.message,
                    "visibility": "visible",
                }
            )
        for m in row.manual:
            tests.append(
                {
                    "name": f"{r.notebook}: written answer {m.grade_id}",
                    "number": m.grade_id,
                    "score": m.score or 0.0,
                    "max_score": m.points,
                    "status": "passed" if (m.score or 0) == m.points else "failed",
                    "output": m.comment or ("not graded yet" if m.awaiting else ""),
                    "visibility": visibility,
                }
            )
        if row.decision.note:
            notes.append(f"{r.notebook}: {row.decision.note}")
    output = "\n".join(notes + ([f"Late penalty: -{_n(grade.penalty)} point(s)."] if grade.penalty else []))
    return {
        "score": round(grade.score, 4),
        "execution_time": round(seconds),
        "output": output,
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"max_score": grade.max_score, "penalty": grade.penalty},
    }


def write_all(out: Path, rows: list[GradeRow], roster: dict[str, Person], canvas_ids: dict[str, str]) -> Path:
    from grader.autograde.store import atomic_write

    grades = by_assignment(rows)
    folder = out / "export"
    atomic_write(folder / "canvas.csv", canvas_csv(grades, roster, canvas_ids))
    atomic_write(folder / "moodle.csv", moodle_csv(grades, roster))
    for grade in grades:
        atomic_write(
            folder / "gradescope" / grade.assignment / grade.student / "results.json",
            json.dumps(gradescope_results(grade), indent=1),
        )
    return folder


# --------------------------------------------------------------------------------------------------
# nbgrader's exporter plugins: the same files from the gradebook


def from_gradebook(
    gradebook: Any, students: Sequence[str] = (), assignments: Sequence[str] = ()
) -> list[AssignmentGrade]:
    from nbgrader.api import MissingEntry

    grades = []
    for assignment in gradebook.assignments:
        if assignments and assignment.name not in assignments:
            continue
        for student in gradebook.students:
            if students and student.id not in students:
                continue
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                continue
            penalty = float(submission.late_submission_penalty or 0.0)
            score = max(0.0, float(submission.score or 0.0) - penalty)
            grades.append(
                AssignmentGrade(
                    student.id,
                    assignment.name,
                    score,
                    float(assignment.max_score or 0),
                    penalty,
                    "late penalty" if penalty else "",
                )
            )
    return grades


class _LmsExport(ExportPlugin):
    roster = Unicode("", help="roster CSV (student, name, email, canvas_id, sis_user_id, ...)").tag(
        config=True
    )
    default_name = "grades.csv"

    def render(self, grades: list[AssignmentGrade], roster: dict[str, Person]) -> str:
        raise NotImplementedError

    def export(self, gradebook: Any) -> None:
        grades = from_gradebook(gradebook, [str(s) for s in self.student], [str(a) for a in self.assignment])
        dest = Path(self.to or self.default_name)
        dest.write_text(self.render(grades, read_roster(Path(self.roster) if self.roster else None)))
        self.log.info("Wrote %d grade(s) to %s", len(grades), dest)


class CanvasExport(_LmsExport):
    """``nbgrader export --exporter=grader.autograde.exports.CanvasExport --to canvas.csv``"""

    canvas_ids = Dict({}, help="assignment name -> Canvas assignment id").tag(config=True)
    default_name = "canvas.csv"

    def render(self, grades: list[AssignmentGrade], roster: dict[str, Person]) -> str:
        return canvas_csv(grades, roster, {str(k): str(v) for k, v in self.canvas_ids.items()})


class MoodleExport(_LmsExport):
    """``nbgrader export --exporter=grader.autograde.exports.MoodleExport --to moodle.csv``"""

    default_name = "moodle.csv"

    def render(self, grades: list[AssignmentGrade], roster: dict[str, Person]) -> str:
        return moodle_csv(grades, roster)


# --------------------------------------------------------------------------------------------------
# Direct upload to Canvas (explicit flag; token from the environment)


def upload_canvas(
    grades: Sequence[AssignmentGrade],
    roster: dict[str, Person],
    *,
    url: str,
    token: str,
    course_id: int,
    canvas_ids: dict[str, str] | None = None,
) -> dict[str, int]:
    """Post every grade with Canvas's bulk grade update; returns assignment -> number of grades sent."""
    from canvasapi import Canvas

    course = Canvas(url, token).get_course(course_id)
    ids = dict(canvas_ids or {})
    wanted = sorted({g.assignment for g in grades} - set(ids))
    if wanted:
        by_name = {a.name: str(a.id) for a in course.get_assignments()}
        unknown = [a for a in wanted if a not in by_name]
        if unknown:
            raise ExportError(
                f"Canvas course {course_id} has no assignment named {', '.join(unknown)}; create it "
                "or pass --canvas-assignment NAME=ID"
            )
        ids.update({a: by_name[a] for a in wanted})
    sent = {}
    for assignment in sorted({g.assignment for g in grades}):
        data = {}
        for g in grades:
            if g.assignment == assignment:
                person = roster.get(g.student, Person(g.student))
                user = person.canvas_id or f"sis_login_id:{person.login}"
                data[user] = {"posted_grade": _n(g.score)}
        course.get_assignment(int(ids[assignment])).submissions_bulk_update(grade_data=data)
        sent[assignment] = len(data)
    return sent


def _pairs(values: list[str]) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, ident = value.partition("=")
        if not sep or not name or not ident.strip().isdigit():
            raise ExportError(f"--canvas-assignment {value!r}: write NAME=ID, e.g. 01_patchify=12345")
        pairs[name] = ident.strip()
    return pairs


def main(argv: list[str] | None = None) -> int:
    from grader import course
    from grader.autograde import store

    parser = argparse.ArgumentParser(
        prog="python -m grader.autograde.exports",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out", type=Path, help="a grading folder (make autograde OUT=...)")
    parser.add_argument("--roster", type=Path, default=None, help="roster CSV with the LMS identities")
    parser.add_argument("--policy", type=Path, default=None, help="late policy file (TOML)")
    parser.add_argument(
        "--canvas-assignment",
        action="append",
        default=[],
        metavar="NAME=ID",
        help="the Canvas id of an assignment (repeat per assignment)",
    )
    parser.add_argument(
        "--upload-canvas",
        action="store_true",
        help="post the grades to Canvas (CANVAS_URL and CANVAS_TOKEN from the environment)",
    )
    parser.add_argument(
        "--canvas-course", type=int, default=None, help="Canvas course id (with --upload-canvas)"
    )
    args = parser.parse_args(argv)
    if not (args.out / "runs").is_dir():
        print(
            f"error: {args.out} has no runs/ folder; grade first (make autograde OUT={args.out})",
            file=sys.stderr,
        )
        return 2
    try:
        roster = read_roster(args.roster)
        canvas_ids = _pairs(args.canvas_assignment)
        late = store.load_policy(args.policy)
        rows = store.grade_rows(args.out, store.latest(args.out), course.SOLUTIONS, late)
        if args.upload_canvas:
            url, token = os.environ.get("CANVAS_URL", ""), os.environ.get("CANVAS_TOKEN", "")
            if not url or not token or args.canvas_course is None:
                raise ExportError(
                    "--upload-canvas needs CANVAS_URL and CANVAS_TOKEN in the environment and "
                    "--canvas-course ID (the number in the course's Canvas address)"
                )
            try:
                sent = upload_canvas(
                    by_assignment(rows),
                    roster,
                    url=url,
                    token=token,
                    course_id=args.canvas_course,
                    canvas_ids=canvas_ids,
                )
            except ExportError:
                raise
            except Exception as error:  # canvasapi's and requests' errors: say what failed, no traceback
                raise ExportError(
                    f"the Canvas upload failed ({type(error).__name__}: {error}); check CANVAS_URL, "
                    "the token's rights and the course id; nothing was written"
                ) from None
            print("; ".join(f"{a}: {n} grade(s) sent to Canvas" for a, n in sent.items()))
            return 0
        folder = write_all(args.out, rows, roster, canvas_ids)
    except (ExportError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    students = len({r.result.student for r in rows})
    print(f"Canvas, Moodle and Gradescope files for {students} student(s) in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
