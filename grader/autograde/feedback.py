"""HTML feedback written from the trusted verdicts only (never the kernel's own outputs).

A student's page lists each test cell with its points and the checks' diagnoses. Nothing the
student's process printed reaches the page, so code that reads files inside the sandbox (the hidden
cases must be there to run) has no way to smuggle them out except the short, capped error messages of
its own failed checks.
"""

from __future__ import annotations

import html


def _e(text) -> str:
    return html.escape(str(text))


STYLE = (
    "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
    "td,th{padding:.2em .6em;text-align:left}"
    ".pass{color:#1a7f37}.fail{color:#cf222e}pre{white-space:pre-wrap;margin:.2em 0 .6em 1.5em}</style>"
)


def notebook_page(result: dict) -> str:
    head = (
        f"<!doctype html><meta charset='utf-8'><title>{_e(result['notebook'])}</title>{STYLE}"
        f"<h1>{_e(result['assignment'])}/{_e(result['notebook'])}</h1>"
        f"<p>Score: <b>{result['score']:g} / {result['max_score']:g}</b>. "
        f"Status: <b>{_e(result['status'])}</b>. "
        f"{_e(result.get('message', ''))}</p>"
    )
    if result["status"] != "ok":
        return head + (
            "<p>This notebook could not be graded to the end, so it earns no points. "
            "Fix the problem above and submit again.</p>"
        )
    parts = [head]
    for cell in result.get("cells", []):
        mark = "pass" if cell["score"] == cell["points"] else "fail"
        parts.append(
            f"<h2 class='{mark}'>{_e(cell['grade_id'])}: {cell['score']:g} / {cell['points']:g}</h2>"
        )
        if cell.get("note"):
            parts.append(f"<p>{_e(cell['note'])}</p>")
        for verdict in cell.get("verdicts", []):
            sign = "✓" if verdict["passed"] else "✗"
            parts.append(
                f"<div class='{'pass' if verdict['passed'] else 'fail'}'>{sign} {_e(verdict['check'])}</div>"
            )
            if verdict.get("message"):
                parts.append(f"<pre>{_e(verdict['message'])}</pre>")
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
        f"<h1>Feedback for {_e(student)}"
        f"</h1><table><tr><th>notebook</th><th>score</th><th>status</th></tr>{items}</table>"
    )
