"""HTML feedback written from the trusted verdicts only (never what the student's program printed).

A student's page lists each test cell with its points and every check's diagnosis. Nothing the
student's process printed reaches the page; the only student-controlled text is the short, capped
error message of their own code's exceptions.
"""

from __future__ import annotations

import html

from grader.autograde.results import NotebookResult


def _e(text) -> str:
    return html.escape(str(text))


STYLE = (
    "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
    "td,th{padding:.2em .6em;text-align:left}"
    ".pass{color:#1a7f37}.fail{color:#cf222e}pre{white-space:pre-wrap;margin:.2em 0 .6em 1.5em}</style>"
)


def notebook_page(result: NotebookResult) -> str:
    head = (
        f"<!doctype html><meta charset='utf-8'><title>{_e(result.notebook)}</title>{STYLE}"
        f"<h1>{_e(result.assignment)}/{_e(result.notebook)}</h1>"
        f"<p>Score: <b>{result.score:g} / {result.max_score:g}</b>. Status: <b>{_e(result.status)}</b>. "
        f"{_e(result.message)}</p>"
    )
    if result.status != "ok":
        return head + ("<p>This notebook could not be graded to the end, so it earns no points. "
                       "Fix the problem above and submit again.</p>")
    parts = [head]
    for cell in result.cells:
        mark = "pass" if cell.score == cell.points else "fail"
        parts.append(f"<h2 class='{mark}'>{_e(cell.title)} ({_e(cell.grade_id)}): {cell.score:g} / {cell.points:g}</h2>")
        if cell.note:
            parts.append(f"<p>{_e(cell.note)}</p>")
        for check in cell.checks:
            sign = "✓" if check.passed else "✗"
            parts.append(f"<div class='{'pass' if check.passed else 'fail'}'>{sign} {_e(check.check)}</div>")
            if check.message and not check.passed:
                parts.append(f"<pre>{_e(check.message)}</pre>")
    return "".join(parts)


def index_page(student: str, rows: list[dict[str, str]]) -> str:
    items = "".join(
        f"<tr><td><a href='{_e(r['assignment'])}/{_e(r['notebook'])}.html'>{_e(r['assignment'])}/"
        f"{_e(r['notebook'])}</a></td><td>{_e(r['score'])} / {_e(r['max_score'])}</td>"
        f"<td>{_e(r['status'])}</td></tr>"
        for r in rows
    )
    return (f"<!doctype html><meta charset='utf-8'><title>{_e(student)}</title>{STYLE}"
            f"<h1>Feedback for {_e(student)}</h1><table><tr><th>notebook</th><th>score</th><th>status</th></tr>"
            f"{items}</table>")
