"""The class report: what the class got right, which typical mistakes it made, what the grader saw.

    python -m grader.autograde.report OUT [--policy FILE]      (make report)

writes ``OUT/report/index.html`` with PNG figures next to it, from the newest grade of every notebook:

* the score distribution per assignment (final scores: autograded + written - late penalty);
* the pass rate of every exercise (test cell);
* a heatmap of the **named mistakes** across the class: which typical mistake of the catalogue
  (:attr:`CheckResult.mistake`), in which exercise, for what share of the students graded
  ("31% put the softmax over the wrong axis"), and the same as sentences, most common first;
* statuses (timeouts, memory, crashes, invalid and missing notebooks) and flags;
* grading time per notebook (:attr:`NotebookResult.timings`);
* the top pairs of the similarity review (:mod:`.similarity`, whole list in ``similarity.html``).
"""

from __future__ import annotations

import argparse
import html
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from grader import course
from grader.autograde import similarity, store
from grader.autograde.policy import PolicyError
from grader.autograde.results import OK, STATUSES
from grader.autograde.sheet import GradeRow

FIGURES = ("scores.png", "pass_rate.png", "mistakes.png", "statuses.png", "timing.png")


@dataclass(frozen=True)
class MistakeCount:
    assignment: str
    exercise: str  # the test cell's title
    mistake: str
    students: int
    graded: int  # students whose notebook was graded to the end

    @property
    def share(self) -> float:
        return self.students / self.graded if self.graded else 0.0

    def sentence(self) -> str:
        return f"{self.share:.0%} ({self.students} of {self.graded}) in {self.exercise}: {self.mistake}"


def mistake_counts(rows: list[GradeRow]) -> list[MistakeCount]:
    """Each named mistake once per student and exercise, most common first."""
    graded = Counter(r.result.assignment for r in rows if r.result.status == OK)
    seen: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        r = row.result
        if r.status != OK:
            continue
        for cell in r.cells:
            for mistake in set(cell.mistakes) - {"tampering"}:
                seen[(r.assignment, cell.title, mistake)].add(r.student)
    counts = [MistakeCount(a, e, m, len(students), graded[a]) for (a, e, m), students in seen.items()]
    return sorted(counts, key=lambda c: (-c.share, c.assignment, c.exercise, c.mistake))


def pass_rates(rows: list[GradeRow]) -> list[tuple[str, str, float, int]]:
    """(assignment, exercise, share passed, students graded) per test cell, in notebook order."""
    passed: dict[tuple[str, str], list[bool]] = {}
    for row in rows:
        r = row.result
        if r.status == OK:
            for cell in r.cells:
                passed.setdefault((r.assignment, cell.title), []).append(cell.score == cell.points)
    return [(a, e, sum(v) / len(v), len(v)) for (a, e), v in passed.items()]


# --------------------------------------------------------------------------------------------------
# Figures


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def figure_scores(rows: list[GradeRow], path: Path) -> None:
    import matplotlib.pyplot as plt

    assignments = sorted({r.result.assignment for r in rows})
    fig, axes = plt.subplots(1, len(assignments), figsize=(3.2 * len(assignments) + 1, 2.8), squeeze=False)
    for ax, assignment in zip(axes[0], assignments, strict=True):
        mine = [r for r in rows if r.result.assignment == assignment]
        shares = [100 * r.final_score / r.max_score for r in mine if r.max_score]
        ax.hist(
            shares, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.01], color="#4c72b0", edgecolor="white"
        )
        ax.set_title(f"{assignment}\nmedian {statistics.median(shares) if shares else 0:.0f}%", fontsize=9)
        ax.set_xlabel("final score (% of the maximum)", fontsize=8)
        ax.set_xlim(0, 100)
    axes[0][0].set_ylabel("students")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure_pass_rate(rates: list[tuple[str, str, float, int]], path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rates) + 1.2))
    labels = [f"{a}: {_short(e, 40)}" for a, e, _, _ in rates]
    values = [100 * share for _, _, share, _ in rates]
    colors = ["#2a9d58" if v >= 80 else "#e9a23b" if v >= 50 else "#d1495b" for v in values]
    ax.barh(range(len(rates)), values, color=colors)
    ax.set_yticks(range(len(rates)), labels, fontsize=8)
    ax.invert_yaxis()
    for i, (v, (_, _, _, n)) in enumerate(zip(values, rates, strict=True)):
        ax.text(min(v + 1, 88), i, f"{v:.0f}% of {n}", va="center", fontsize=7)
    ax.set_xlim(0, 100)
    ax.set_xlabel("students who pass the exercise (%)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure_mistakes(counts: list[MistakeCount], path: Path, top: int = 20) -> None:
    import matplotlib.pyplot as plt
    import numpy as np

    shown = counts[:top]
    exercises = sorted({(c.assignment, c.exercise) for c in shown})
    mistakes = list(dict.fromkeys((c.assignment, c.mistake) for c in shown))
    grid = np.zeros((max(1, len(mistakes)), max(1, len(exercises))))
    for c in shown:
        grid[mistakes.index((c.assignment, c.mistake)), exercises.index((c.assignment, c.exercise))] = (
            100 * c.share
        )
    fig, ax = plt.subplots(figsize=(2.2 + 1.1 * len(exercises), 0.36 * len(mistakes) + 2.2))
    image = ax.imshow(grid, cmap="Reds", vmin=0, vmax=max(25.0, float(grid.max())), aspect="auto")
    ax.set_xticks(
        range(len(exercises)),
        [f"{a[:2]}: {_short(e, 22)}" for a, e in exercises],
        rotation=35,
        ha="right",
        fontsize=8,
    )
    ax.set_yticks(range(len(mistakes)), [_short(m, 70) for _, m in mistakes], fontsize=8)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if grid[i, j]:
                ax.text(
                    j,
                    i,
                    f"{grid[i, j]:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if grid[i, j] > 0.6 * image.get_clim()[1] else "black",
                )
    ax.set_title("Typical mistakes: share of the students graded" if shown else "No typical mistake named")
    fig.colorbar(image, ax=ax, fraction=0.03, label="% of students")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure_statuses(rows: list[GradeRow], path: Path) -> None:
    import matplotlib.pyplot as plt

    assignments = sorted({r.result.assignment for r in rows})
    colors = {
        "ok": "#2a9d58",
        "missing": "#bbbbbb",
        "invalid": "#8172b3",
        "timeout": "#e9a23b",
        "memory": "#c44e52",
        "crashed": "#6b2737",
    }
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(assignments) + 1.4))
    left = [0] * len(assignments)
    for status in STATUSES:
        values = [
            sum(r.result.assignment == a and r.result.status == status for r in rows) for a in assignments
        ]
        if any(values):
            ax.barh(assignments, values, left=left, color=colors.get(status), label=status)
            left = [x + v for x, v in zip(left, values, strict=True)]
    flagged = [sum(r.result.assignment == a and bool(r.result.flags) for r in rows) for a in assignments]
    for i, n in enumerate(flagged):
        ax.text(left[i] + 0.3, i, f"{n} flagged" if n else "", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("notebooks")
    ax.legend(fontsize=8, ncol=3, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure_timing(rows: list[GradeRow], path: Path) -> None:
    import matplotlib.pyplot as plt

    seconds = [r.result.timings.get("total", 0.0) for r in rows if r.result.timings]
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    ax.hist(seconds or [0.0], bins=20, color="#4c72b0", edgecolor="white")
    ax.set_xlabel("seconds to grade one notebook (prepare, sandbox, verdicts)")
    ax.set_ylabel("notebooks")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------------------------------
# The page

STYLE = (
    "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;color:#222}img{max-width:100%}"
    "td,th{padding:.15em .6em;text-align:left;vertical-align:top}th{border-bottom:1px solid #ccc}"
    "h2{margin-top:1.6em;border-bottom:2px solid #eee}.num{text-align:right}"
    "table.side{width:100%;table-layout:fixed;border-collapse:collapse}table.side td{border:1px solid #ddd}"
    "pre{white-space:pre-wrap;font-size:.8em;margin:.3em}mark{background:#ffe08a}</style>"
)


def _e(text: object) -> str:
    return html.escape(str(text))


def _summary(rows: list[GradeRow]) -> str:
    parts = [
        "<table><tr><th>assignment</th><th class='num'>students</th><th class='num'>graded</th>"
        "<th class='num'>median</th><th class='num'>mean</th><th class='num'>late</th>"
        "<th class='num'>awaiting manual grades</th></tr>"
    ]
    for assignment in sorted({r.result.assignment for r in rows}):
        mine = [r for r in rows if r.result.assignment == assignment]
        shares = [100 * r.final_score / r.max_score for r in mine if r.max_score]
        late = sum(r.decision.penalty > 0 for r in mine)
        awaiting = sum(m.awaiting for r in mine for m in r.manual)
        parts.append(
            f"<tr><td>{_e(assignment)}</td><td class='num'>{len({r.result.student for r in mine})}</td>"
            f"<td class='num'>{sum(r.result.status == OK for r in mine)}</td>"
            f"<td class='num'>{statistics.median(shares):.0f}%</td>"
            f"<td class='num'>{statistics.mean(shares):.0f}%</td><td class='num'>{late}</td>"
            f"<td class='num'>{awaiting}</td></tr>"
        )
    return "".join(parts) + "</table>"


def _problems(rows: list[GradeRow]) -> str:
    odd = [r for r in rows if r.result.status not in (OK,) or r.result.flags]
    if not odd:
        return "<p>Every notebook was graded to the end; nothing was flagged.</p>"
    items = "".join(
        f"<tr><td>{_e(r.result.student)}</td><td>{_e(r.result.assignment)}</td>"
        f"<td>{_e(r.result.status)}</td><td>{_e(', '.join(r.result.flags))}</td>"
        f"<td>{_e(r.result.message[:160])}</td></tr>"
        for r in odd
    )
    return (
        "<table><tr><th>student</th><th>assignment</th><th>status</th><th>flags</th><th>message</th></tr>"
        f"{items}</table>"
    )


def _timing(rows: list[GradeRow]) -> str:
    seconds = [r.result.timings.get("total", 0.0) for r in rows if r.result.timings]
    if not seconds:
        return "<p>No timings recorded.</p>"
    return (
        f"<p>{len(seconds)} notebooks took {sum(seconds):.0f} s of grading in all: median "
        f"{statistics.median(seconds):.1f} s, slowest {max(seconds):.1f} s per notebook (per worker; "
        "the wall time divides by the number of workers).</p>"
    )


def page(
    rows: list[GradeRow], counts: list[MistakeCount], pairs: list[similarity.Pair], top_pairs: int = 5
) -> str:
    students = len({r.result.student for r in rows})
    sentences = "".join(f"<li>{_e(c.sentence())}</li>" for c in counts[:15])
    pair_list = "".join(similarity.pair_html(i, p) for i, p in enumerate(pairs[:top_pairs], 1))
    return "".join(
        [
            f"<!doctype html><meta charset='utf-8'><title>Class report</title>{STYLE}",
            f"<h1>Class report: {students} students, {len(rows)} notebooks</h1>",
            _summary(rows),
            "<h2>Score distribution</h2><img src='scores.png' alt='score distribution per assignment'>",
            "<h2>Pass rate per exercise</h2><img src='pass_rate.png' alt='pass rate per exercise'>",
            "<h2>Typical mistakes across the class</h2>",
            f"<ul>{sentences}</ul>" if counts else "<p>No typical mistake was named.</p>",
            "<img src='mistakes.png' alt='heatmap of the named mistakes'>",
            "<h2>Statuses and flags</h2><img src='statuses.png' alt='statuses per assignment'>",
            _problems(rows),
            "<h2>Grading time</h2><img src='timing.png' alt='grading time per notebook'>",
            _timing(rows),
            "<h2>Similarity review</h2>",
            similarity.CAVEAT,
            f"<p>The {min(top_pairs, len(pairs))} highest of {len(pairs)} pairs; all of them in "
            "<a href='similarity.html'>similarity.html</a>.</p>"
            if pairs
            else "<p>No submissions to compare.</p>",
            pair_list,
        ]
    )


def build(out: Path, rows: list[GradeRow], pairs: list[similarity.Pair]) -> Path:
    folder = Path(out) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    counts = mistake_counts(rows)
    figure_scores(rows, folder / "scores.png")
    figure_pass_rate(pass_rates(rows), folder / "pass_rate.png")
    figure_mistakes(counts, folder / "mistakes.png")
    figure_statuses(rows, folder / "statuses.png")
    figure_timing(rows, folder / "timing.png")
    similarity.write(out, pairs)
    store.atomic_write(folder / "index.html", page(rows, counts, pairs))
    return folder / "index.html"


def main(argv: list[str] | None = None) -> int:
    import matplotlib

    matplotlib.use("Agg")
    parser = argparse.ArgumentParser(
        prog="python -m grader.autograde.report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out", type=Path, help="a grading folder (make autograde OUT=...)")
    parser.add_argument("--policy", type=Path, default=None, help="late policy file (TOML)")
    args = parser.parse_args(argv)
    if not (args.out / "runs").is_dir():
        print(
            f"error: {args.out} has no runs/ folder; grade first (make autograde OUT={args.out})",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()
    try:
        late = store.load_policy(args.policy)
    except PolicyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rows = store.grade_rows(args.out, store.latest(args.out), course.SOLUTIONS, late, refresh=False)
    if not rows:
        print(f"error: {args.out} holds no graded notebook yet; grade first", file=sys.stderr)
        return 2
    path = build(args.out, rows, similarity.review(args.out))
    print(
        f"class report for {len({r.result.student for r in rows})} student(s) in {path} "
        f"({time.perf_counter() - start:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
