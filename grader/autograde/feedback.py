"""HTML feedback written from the trusted verdicts only (never what the student's program printed).

A student's page lists each test cell with its points and every check's diagnosis. Nothing the
student's process printed reaches the page; the only student-controlled text is the short, capped
error message of their own code's exceptions.
"""

from __future__ import annotations

import html

from grader.autograde.results import NotebookResult
from grader.autograde.sheet import GradeRow


def _e(text) -> str:
    return html.escape(str(text))


STYLE = (
    "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
    "td,th{padding:.2em .6em;text-align:left}"
    ".pass{color:#1a7f37}.fail{color:#cf222e}pre{white-space:pre-wrap;margin:.2em 0 .6em 1.5em}"
    ".comment{color:#444;font-style:italic;margin:.2em 0 .4em 1em}.late{color:#6e5400}</style>"
)


def notebook_page(result: NotebookResult) -> str:
    head = (
        f"<!doctype html><meta charset='utf-8'><title>{_e(result.notebook)}</title>{STYLE}"
        f"<h1>{_e(result.assignment)}/{_e(result.notebook)}</h1>"
        f"<p>Score: <b>{result.score:g} / {result.max_score:g}</b>. Status: <b>{_e(result.status)}</b>. "
        f"{_e(result.message)}</p>"
    )
    if result.status != "ok":
        return head + (
            "<p>This notebook could not be graded to the end, so it earns no points. "
            "Fix the problem above and submit again.</p>"
        )
    parts = [head]
    for cell in result.cells:
        mark = "pass" if cell.score == cell.points else "fail"
        title = f"{_e(cell.title)} ({_e(cell.grade_id)})"
        parts.append(f"<h2 class='{mark}'>{title}: {cell.score:g} / {cell.points:g}</h2>")
        if cell.note:
            parts.append(f"<p>{_e(cell.note)}</p>")
        for check in cell.checks:
            sign = "✓" if check.passed else "✗"
            parts.append(f"<div class='{'pass' if check.passed else 'fail'}'>{sign} {_e(check.check)}</div>")
            if check.message and not check.passed:
                parts.append(f"<pre>{_e(check.message)}</pre>")
    return "".join(parts)


def _late(row: GradeRow) -> str:
    d = row.decision
    if d.deadline is None and d.submitted_at is None and not d.note:
        return ""
    parts = []
    if d.submitted_at is not None:
        parts.append(f"handed in {d.submitted_at:%Y-%m-%d %H:%M %Z}".strip())
    if d.deadline is not None:
        parts.append(f"deadline {d.deadline:%Y-%m-%d %H:%M %Z}".strip())
    if d.late_by is not None and d.late_by.total_seconds() > 0:
        parts.append(f"{d.late_hours} h late")
    penalty = f"; penalty <b>-{d.penalty:g}</b>" if d.penalty else ""
    return (
        f"<p class='late'>{_e(', '.join(parts))}{': ' if parts and d.note else ''}{_e(d.note)}{penalty}</p>"
    )


def _mistakes(row: GradeRow) -> str:
    named = []
    for cell in row.result.cells:
        for mistake in dict.fromkeys(cell.mistakes):
            if mistake != "tampering":
                named.append(f"<li><b>{_e(cell.title)}</b>: {_e(mistake)}</li>")
    if not named:
        return ""
    return (
        "<p>Typical mistakes the checks recognised (the fix is on the notebook's page):</p><ul>"
        + "".join(named)
        + "</ul>"
    )


def _written(row: GradeRow) -> str:
    if not row.manual:
        return ""
    items = []
    for m in row.manual:
        if m.awaiting:
            grade = f"not graded yet (out of {m.points:g})"
        elif not m.answered:
            grade = f"0 / {m.points:g}: no answer"
        else:
            grade = f"{m.score:g} / {m.points:g}"
        comment = f"<div class='comment'>{_e(m.comment)}</div>" if m.comment else ""
        items.append(f"<li>{_e(m.grade_id)}: {_e(grade)}{comment}</li>")
    return "<p>Written answers, graded by hand:</p><ul>" + "".join(items) + "</ul>"


def student_page(student: str, rows: list[GradeRow]) -> str:
    """What a student gets back: per notebook the scores, the named mistakes, the manual grades and
    comments, and the late policy as applied. Ready to hand back through the LMS or nbgrader's feedback."""
    parts = [
        f"<!doctype html><meta charset='utf-8'><title>{_e(student)}</title>{STYLE}",
        f"<h1>Feedback for {_e(student)}</h1>",
    ]
    table = [
        "<table><tr><th>notebook</th><th>autograded</th><th>written</th><th>late penalty</th>"
        "<th>final</th><th>status</th></tr>"
    ]
    for row in rows:
        r = row.result
        link = f"{_e(r.assignment)}/{_e(r.notebook)}.html"
        written = f"{row.manual_score:g} / {row.manual_max:g}" if row.manual else "-"
        table.append(
            f"<tr><td><a href='{link}'>{_e(r.assignment)}/{_e(r.notebook)}</a></td>"
            f"<td>{r.score:g} / {r.max_score:g}</td><td>{written}</td>"
            f"<td>{'-' + format(row.decision.penalty, 'g') if row.decision.penalty else '0'}</td>"
            f"<td><b>{row.final_score:g} / {row.max_score:g}</b></td><td>{_e(r.status)}</td></tr>"
        )
    parts.append("".join(table) + "</table>")
    for row in rows:
        r = row.result
        parts.append(f"<h2>{_e(r.assignment)}/{_e(r.notebook)}: {row.final_score:g} / {row.max_score:g}</h2>")
        if r.status != "ok":
            parts.append(f"<p>{_e(r.message)}</p>")
        parts += [_mistakes(row), _written(row), _late(row)]
    return "".join(parts)


def index_page(student: str, rows: list[dict[str, str]]) -> str:
    items = "".join(
        f"<tr><td><a href='{_e(r['assignment'])}/{_e(r['notebook'])}.html'>{_e(r['assignment'])}/"
        f"{_e(r['notebook'])}</a></td><td>{_e(r['score'])} / {_e(r['max_score'])}</td>"
        f"<td>{_e(r['status'])}</td></tr>"
        for r in rows
    )
    return (
        f"<!doctype html><meta charset='utf-8'><title>{_e(student)}</title>{STYLE}"
        f"<h1>Feedback for {_e(student)}</h1><table><tr><th>notebook</th><th>score</th><th>status</th></tr>"
        f"{items}</table>"
    )
