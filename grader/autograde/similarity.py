"""Similarity review: pairs of submissions worth a human look, ranked. Never a penalty, never a score.

    python -m grader.autograde.similarity OUT [--top N]      (make similarity)

Two kinds of evidence, per notebook, for every pair of students:

* **code**: the answer cells (and cells the student added) compared with ``copydetect`` (winnowed
  k-gram fingerprints of the tokenised code, so renamed variables and moved lines still match), with
  the starter code of the release excluded as boilerplate;
* **behaviour**: identical *wrong* outputs on the grader's hidden inputs
  (:attr:`NotebookResult.fingerprints` of failing checks). Two people rarely get the same wrong
  numbers independently, unless it is a typical mistake of the catalogue, which many make: those
  count for little. Identical correct outputs are no evidence at all, and neither is an unwritten
  exercise.

The result is ``OUT/report/similarity.html`` (pairs ranked, code side by side with the shared parts
marked) and ``similarity.json``; the class report (:mod:`.report`) shows the top pairs.
"""

from __future__ import annotations

import argparse
import html
import io
import itertools
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from grader import course
from grader.autograde import store
from grader.autograde.results import OK, PENDING, NotebookResult
from vitlab import cells

K, WINDOW = 25, 6  # copydetect's defaults: noise threshold 25 characters, guarantee threshold 30
#: weights of the evidence in the ranking score (code similarity is 0..1)
UNEXPLAINED, TYPICAL = 0.5, 0.05


@dataclass(frozen=True)
class Answer:
    student: str
    code: str
    result: NotebookResult


@dataclass(frozen=True)
class Pair:
    assignment: str
    notebook: str
    a: str
    b: str
    code: float  # the larger of the two shares of copied code (0..1)
    shared_wrong: int  # failing cases with identical outputs that no catalogued mistake explains
    shared_typical: int  # ... that a catalogued mistake explains (many students make those)
    score: float
    code_a: str
    code_b: str
    marks_a: tuple[tuple[int, int], ...]
    marks_b: tuple[tuple[int, int], ...]

    @property
    def evidence(self) -> str:
        parts = [f"{self.code:.0%} of the code in common"]
        if self.shared_wrong:
            parts.append(f"{self.shared_wrong} identical wrong output(s) no typical mistake explains")
        if self.shared_typical:
            parts.append(f"{self.shared_typical} identical typical-mistake output(s)")
        return "; ".join(parts)


def answer_code(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> str:
    """The student's own code: answer cells and the code cells they added, in notebook order."""
    answer_ids = {cells.grade_id(c) for c in release.cells if cells.is_answer(c)}
    released = {cells.cell_id(c) for c in release.cells}
    kept = []
    for cell in nb.cells:
        if not cells.is_code(cell):
            continue
        if cells.grade_id(cell) in answer_ids or (
            cells.grade_id(cell) is None and cells.cell_id(cell) not in released
        ):
            kept.append(cells.source(cell).strip("\n"))
    return "\n\n".join(kept) + "\n"


def starter_code(release: nbformat.NotebookNode) -> str:
    return "\n\n".join(cells.source(c) for c in release.cells if cells.is_answer(c)) + "\n"


def _fingerprint(code: str, boilerplate: list[int] | None = None):
    from copydetect import CodeFingerprint

    return CodeFingerprint("answer.py", K, WINDOW, boilerplate=boilerplate, fp=io.StringIO(code))


def behaviour(a: NotebookResult, b: NotebookResult) -> tuple[int, int]:
    """(unexplained, typical): failing cases where both students' code returned the very same output."""
    if a.status != OK or b.status != OK:
        return 0, 0
    unexplained = typical = 0
    for cell_a, cell_b in zip(a.cells, b.cells, strict=False):
        if cell_a.grade_id != cell_b.grade_id or PENDING in (cell_a.status, cell_b.status):
            continue
        for i, (ca, cb) in enumerate(zip(cell_a.checks, cell_b.checks, strict=False)):
            case = f"{cell_a.grade_id}/{i}"  # the i-th check of a test cell judges its i-th case
            fa, fb = a.fingerprints.get(case), b.fingerprints.get(case)
            if ca.passed or cb.passed or fa is None or fa != fb:
                continue
            if ca.mistake and ca.mistake == cb.mistake:
                typical += 1
            else:
                unexplained += 1
    return unexplained, typical


def _marks(slices) -> tuple[tuple[int, int], ...]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return ()
    return tuple((int(s), int(e)) for s, e in zip(slices[0], slices[1], strict=True))


def compare(assignment: str, notebook: str, answers: list[Answer], starter: str) -> list[Pair]:
    from copydetect import compare_files

    boilerplate = list(_fingerprint(starter).hashes)
    prints = {a.student: _fingerprint(a.code, boilerplate) for a in answers}
    pairs = []
    for x, y in itertools.combinations(sorted(answers, key=lambda a: a.student), 2):
        overlap, (share_x, share_y), (slices_x, slices_y) = compare_files(
            prints[x.student], prints[y.student]
        )
        code = float(max(share_x, share_y)) if overlap else 0.0
        unexplained, typical = behaviour(x.result, y.result)
        score = code + UNEXPLAINED * min(unexplained, 4) / 4 + TYPICAL * min(typical, 4) / 4
        pairs.append(
            Pair(
                assignment,
                notebook,
                x.student,
                y.student,
                round(code, 4),
                unexplained,
                typical,
                round(score, 4),
                x.code,
                y.code,
                _marks(slices_x),
                _marks(slices_y),
            )
        )
    return pairs


def review(out: Path, source: Path = course.RELEASE) -> list[Pair]:
    """Every pair of students per notebook, most suspicious first (from the newest grade of each)."""
    groups: dict[tuple[str, str], list[Answer]] = {}
    releases: dict[tuple[str, str], nbformat.NotebookNode] = {}
    for run_dir, result in store.latest(Path(out)).values():
        nb = store.kept_submission(run_dir, result)
        where = (result.assignment, result.notebook)
        if nb is None:
            continue
        if where not in releases:
            path = source / result.assignment / f"{result.notebook}.ipynb"
            if not path.is_file():
                continue
            releases[where] = nbformat.read(path, as_version=4)
        groups.setdefault(where, []).append(Answer(result.student, answer_code(nb, releases[where]), result))
    pairs = []
    for (assignment, notebook), answers in sorted(groups.items()):
        pairs += compare(assignment, notebook, answers, starter_code(releases[(assignment, notebook)]))
    return sorted(pairs, key=lambda p: (-p.score, p.assignment, p.a, p.b))


# --------------------------------------------------------------------------------------------------
# The page


def _marked(code: str, marks: tuple[tuple[int, int], ...]) -> str:
    parts, at = [], 0
    for start, end in sorted(marks):
        start = max(start, at)
        if end <= start:
            continue
        parts += [html.escape(code[at:start]), f"<mark>{html.escape(code[start:end])}</mark>"]
        at = end
    return "".join(parts) + html.escape(code[at:])


def pair_html(rank: int, pair: Pair) -> str:
    return (
        f"<h3>{rank}. {html.escape(pair.a)} and {html.escape(pair.b)}: {html.escape(pair.assignment)}/"
        f"{html.escape(pair.notebook)} (score {pair.score:.2f})</h3><p>{html.escape(pair.evidence)}</p>"
        "<table class='side'><tr>"
        f"<th>{html.escape(pair.a)}</th><th>{html.escape(pair.b)}</th></tr><tr>"
        f"<td><pre>{_marked(pair.code_a, pair.marks_a)}</pre></td>"
        f"<td><pre>{_marked(pair.code_b, pair.marks_b)}</pre></td></tr></table>"
    )


STYLE = (
    "<style>body{font-family:sans-serif;max-width:80em;margin:2em auto}table.side{width:100%;"
    "table-layout:fixed;border-collapse:collapse}table.side td{vertical-align:top;border:1px solid #ddd;"
    "width:50%}pre{white-space:pre-wrap;font-size:.8em;margin:.3em}mark{background:#ffe08a}</style>"
)
CAVEAT = (
    "<p><b>For review by a person, never a penalty.</b> Pairs are ranked by shared code (copydetect, the "
    "starter code excluded) and by identical wrong outputs on the hidden inputs; typical mistakes and "
    "correct answers look alike for honest reasons.</p>"
)


def page(pairs: list[Pair], top: int) -> str:
    body = "".join(pair_html(i, p) for i, p in enumerate(pairs[:top], 1))
    return (
        f"<!doctype html><meta charset='utf-8'><title>Similarity review</title>{STYLE}"
        f"<h1>Similarity review</h1>{CAVEAT}<p>{len(pairs)} pair(s) compared; the top {min(top, len(pairs))} "
        f"below.</p>{body}"
    )


def write(out: Path, pairs: list[Pair], top: int = 20) -> Path:
    folder = Path(out) / "report"
    store.atomic_write(folder / "similarity.html", page(pairs, top))
    rows = [
        {k: v for k, v in asdict(p).items() if k not in ("code_a", "code_b", "marks_a", "marks_b")}
        for p in pairs
    ]
    store.atomic_write(folder / "similarity.json", json.dumps(rows, indent=1))
    return folder / "similarity.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m grader.autograde.similarity",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out", type=Path, help="a grading folder (make autograde OUT=...)")
    parser.add_argument("--top", type=int, default=20, help="pairs shown with their code (default 20)")
    args = parser.parse_args(argv)
    if not (args.out / "runs").is_dir():
        print(
            f"error: {args.out} has no runs/ folder; grade first (make autograde OUT={args.out})",
            file=sys.stderr,
        )
        return 2
    pairs = review(args.out)
    path = write(args.out, pairs, args.top)
    print(f"{len(pairs)} pair(s) compared; ranked in {path}")
    for p in pairs[: min(5, len(pairs))]:
        print(f"  {p.score:.2f}  {p.assignment}/{p.notebook}  {p.a} ~ {p.b}: {p.evidence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
