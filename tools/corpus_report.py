"""How the checks judge the corpus of students' answers (tests/corpus/), per notebook.

For every assignment: the correct alternatives and how many pass every check (public and hidden),
the wrong answers, how many fail, how many of those are *named* (a failing check recognised a
catalogued mistake, ``Verdict.mistake``) and how many hit a checker error. tests/test_corpus.py
asserts the judgement; this prints the counts for a closing note or a review.

    .venv/bin/python tools/corpus_report.py [01_patchify ...] [--unnamed]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import samples as S  # noqa: E402
from tests.conftest import assignments  # noqa: E402


def report(assignment: str, show_unnamed: bool) -> dict[str, int]:
    counts = dict.fromkeys(("correct", "accepted", "wrong", "detected", "named", "checker_errors"), 0)
    for answer in S.corpus(assignment):
        results = S.judge(assignment, answer, hidden=True)
        wrong = any(kind == "fail" for _, kind, _ in answer.verdicts)
        tested = [results[test_id] for test_id, _, _ in answer.verdicts]
        verdicts = [v for result in tested for v in result.verdicts]
        counts["checker_errors"] += any(v.checker_error for v in verdicts)
        if not wrong:
            counts["correct"] += 1
            counts["accepted"] += all(result.passed for result in tested)
            continue
        counts["wrong"] += 1
        failing = [v for v in verdicts if not v.passed]
        counts["detected"] += bool(failing)
        named = [v.mistake for v in failing if v.mistake]
        counts["named"] += bool(named)
        if show_unnamed and failing and not named:
            print(f"  unnamed: {answer.name}: {failing[0].message.splitlines()[0][:110]}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="default: all")
    parser.add_argument("--unnamed", action="store_true", help="list the wrong answers no mistake names")
    args = parser.parse_args(argv)
    columns = (
        "notebook",
        "correct alternatives (accepted)",
        "wrong answers (detected)",
        "named",
        "checker errors",
    )
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|")
    total = dict.fromkeys(("correct", "accepted", "wrong", "detected", "named", "checker_errors"), 0)
    for assignment in args.assignments or assignments():
        c = report(assignment, args.unnamed)
        total = {k: total[k] + c[k] for k in total}
        print(
            f"| {assignment} | {c['correct']} ({c['accepted']}) | {c['wrong']} ({c['detected']}) | "
            f"{c['named']} ({c['named'] / max(1, c['wrong']):.0%}) | {c['checker_errors']} |",
            flush=True,
        )
    t = total
    print(
        f"| all | {t['correct']} ({t['accepted']}) | {t['wrong']} ({t['detected']}) | "
        f"{t['named']} ({t['named'] / max(1, t['wrong']):.0%}) | {t['checker_errors']} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
