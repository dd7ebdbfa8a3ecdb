"""The class report on a generated class of 30 students that mixes the sample submissions.

Each student hands in one sample of tests/samples/ per assignment; the result says what the sample
declares (``# expect: <test cell>: <mistake>``): that test cell fails, naming that mistake. The test
counts the picks itself and checks the report's numbers against them. A few notebooks time out, run
out of memory, crash or are missing, and one is flagged.
"""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest

from grader import samples
from grader.autograde import report, store
from grader.autograde import results as R
from tests import classroom as C

ASSIGNMENTS = {"01_patchify": "patchify", "03_attention": "attention"}
STATUS_OF = {"s07": R.TIMEOUT, "s13": R.MEMORY, "s21": R.CRASHED, "s27": R.MISSING}


def class_of_30(seed: int = 19):
    rng = random.Random(seed)
    picks, results = {}, []
    for assignment, notebook in ASSIGNMENTS.items():
        pool = [s for s in samples.all_samples(assignment) if s.name != "blank"]
        for i in range(1, 31):
            student = f"s{i:02d}"
            sample = pool[0] if rng.random() < 0.3 else rng.choice(pool)  # pool[0]: the reference
            failing = dict(sample.expects)
            status = STATUS_OF.get(student, R.OK) if assignment == "03_attention" else R.OK
            flags = (
                ("monkeypatch:torch.allclose",) if student == "s03" and assignment == "01_patchify" else ()
            )
            results.append(
                C.result(
                    student,
                    C.graded(assignment, failing),
                    assignment=assignment,
                    notebook=notebook,
                    status=status,
                    flags=flags,
                    seconds=1 + (i % 7) * 0.5,
                )
            )
            if status == R.OK:
                picks[(student, assignment)] = failing
    return picks, results


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    picks, results = class_of_30()
    C.write_run(out, "20261010T000000Z", results)
    start = time.perf_counter()
    rows = store.grade_rows(out, store.latest(out), store.course.SOLUTIONS, store.NO_POLICY, refresh=False)
    index = report.build(out, rows, [])
    seconds = time.perf_counter() - start
    print(f"\nclass report for 30 students built in {seconds:.1f} s")  # the number quoted in docs/grading.md
    return out, index, picks, rows


def test_the_report_has_every_figure(built):
    out, index, _, _ = built
    page = index.read_text()
    for name in report.FIGURES:
        data = (out / "report" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, name
        assert f"src='{name}'" in page


def test_the_named_mistakes_are_counted_per_student_and_exercise(built):
    _, index, picks, rows = built
    counts = Counter(
        (assignment, test, mistake)
        for (_, assignment), failing in picks.items()
        for test, mistake in failing.items()
    )
    graded = Counter(assignment for _, assignment in picks)
    found = {
        (c.assignment, c.exercise, c.mistake): (c.students, c.graded) for c in report.mistake_counts(rows)
    }
    assert found == {key: (n, graded[key[0]]) for key, n in counts.items()}
    (assignment, test, mistake), n = counts.most_common(1)[0]
    share = f"{n / graded[assignment]:.0%} ({n} of {graded[assignment]}) in {test}: {mistake}"
    assert share in index.read_text().replace("&#x27;", "'")


def test_pass_rates_statuses_and_flags(built):
    _, index, picks, rows = built
    failed = Counter((assignment, test) for (_, assignment), failing in picks.items() for test in failing)
    rates = {(a, e): (share, n) for a, e, share, n in report.pass_rates(rows)}
    graded = Counter(assignment for _, assignment in picks)
    for (assignment, test), (share, n) in rates.items():
        assert n == graded[assignment] and share == pytest.approx(1 - failed[(assignment, test)] / n)
    page = index.read_text()
    for student, status in STATUS_OF.items():
        assert f"<td>{student}</td><td>03_attention</td><td>{status}</td>" in page
    assert "monkeypatch:torch.allclose" in page
    assert "60 notebooks took" in page
