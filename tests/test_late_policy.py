"""The late policy: a file in, a decision per notebook out, applied at rebuild time without touching a run.

Expected penalties are worked out by hand from the policy's words (10% of the maximum per started day,
capped), never read back from the code.
"""

from __future__ import annotations

import csv
import hashlib
import zipfile
from datetime import UTC, datetime, timedelta, timezone

import pytest

from grader import course
from grader.autograde import policy, store, timestamps
from grader.autograde.intake import gather
from grader.autograde.timestamps import SubmissionTime
from tests import classroom as C
from tests.conftest import ROOT

POLICY = """
timezone = "Europe/Amsterdam"

[deadlines]
01_patchify = 2026-10-05T23:59:00+02:00

[extensions]
ext = { 01_patchify = 2026-10-08T12:00:00+02:00 }
two = { 01_patchify = "2d" }

[penalty]
percent_per_day = 10
max_percent = 30
grace_minutes = 5
missing_timestamp = "{missing}"
"""
DEADLINE = datetime(2026, 10, 5, 21, 59, tzinfo=UTC)


def load(tmp_path, missing="on_time", text=POLICY):
    path = tmp_path / "late.toml"
    path.write_text(text.replace("{missing}", missing))
    return policy.load(path, ["01_patchify", "03_attention"])


def at(moment: datetime) -> SubmissionTime:
    return SubmissionTime(moment.isoformat(), timestamps.NBGRADER)


def decide(rule, student, moment, raw=8.0, max_score=10.0):
    return policy.decide(rule, student, "01_patchify", None if moment is None else at(moment), raw, max_score)


def test_just_on_time_and_within_the_grace_period_cost_nothing(tmp_path):
    rule = load(tmp_path)
    exact = decide(rule, "amy", DEADLINE)
    assert exact.penalty == 0 and exact.late_hours == "0.00" and "on time" in exact.note
    grace = decide(rule, "amy", DEADLINE + timedelta(minutes=4, seconds=59))
    assert grace.penalty == 0 and "grace" in grace.note


def test_each_started_day_costs_ten_percent_of_the_maximum_up_to_the_cap(tmp_path):
    rule = load(tmp_path)
    assert decide(rule, "amy", DEADLINE + timedelta(minutes=6)).penalty == pytest.approx(
        1.0
    )  # day 1: 10% of 10
    assert decide(rule, "amy", DEADLINE + timedelta(days=1, minutes=6)).penalty == pytest.approx(2.0)
    capped = decide(rule, "amy", DEADLINE + timedelta(days=9))
    assert capped.penalty == pytest.approx(3.0) and "capped" in capped.note  # 90% capped at 30%
    assert capped.late_hours == "216.00"


def test_extensions_move_the_deadline(tmp_path):
    rule = load(tmp_path)
    moment = DEADLINE + timedelta(days=2)  # 2026-10-07 21:59 UTC: late for amy, on time for both extensions
    assert decide(rule, "amy", moment).penalty == pytest.approx(2.0)
    extended = decide(rule, "ext", moment)
    assert extended.penalty == 0 and "extended deadline" in extended.note
    assert decide(rule, "two", moment).penalty == 0  # the deadline plus two days, to the minute
    assert decide(rule, "two", moment + timedelta(minutes=6)).penalty == pytest.approx(1.0)


def test_the_final_score_never_goes_below_zero(tmp_path):
    rule = load(tmp_path)
    poor = decide(rule, "amy", DEADLINE + timedelta(days=5), raw=1.0)  # 30% of 10 = 3 points, but 1 earned
    assert poor.penalty == pytest.approx(1.0) and "below zero" in poor.note
    zero = load(tmp_path, text=POLICY.replace("grace_minutes = 5", "grace_minutes = 5\nzero_after_days = 3"))
    late = decide(zero, "amy", DEADLINE + timedelta(days=4), raw=9.0)
    assert late.penalty == pytest.approx(9.0) and "no points" in late.note


@pytest.mark.parametrize(
    ("missing", "penalty", "words"),
    [
        ("on_time", 0.0, "counts it as on time"),
        ("max_penalty", 3.0, "30% penalty"),
        ("zero", 8.0, "100% penalty"),
    ],
)
def test_a_missing_timestamp_is_decided_by_the_policy_which_says_so(tmp_path, missing, penalty, words):
    decision = decide(load(tmp_path, missing), "amy", None)
    assert decision.penalty == pytest.approx(penalty) and decision.late_by is None
    assert (
        "no submission time found" in decision.note
        and words in decision.note
        and "late.toml" in decision.note
    )


def test_times_without_a_zone_are_in_the_policys_zone(tmp_path):
    rule = load(tmp_path)
    local = SubmissionTime("2026-10-05T23:58:00", timestamps.ZIP_ENTRY)  # Amsterdam, summer time: UTC+2
    decision = policy.decide(rule, "amy", "01_patchify", local, 8, 10)
    assert decision.penalty == 0 and decision.submitted_at.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[deadlines]\n01_patchifyy = 2026-10-05T23:59:00\n", "'01_patchifyy' is not an assignment"),
        ('[deadlines]\n01_patchify = "next monday"\n', "is not a date and time"),
        ("[deadlines\n", "not valid TOML"),
        ("[penalty]\npercent_per_day = -5\n", "must be >= 0"),
        ("[penalty]\nper_day = 5\n", "unknown key"),
        ('[extensions]\nbob = { 01_patchify = "2d" }\n', "does not set"),
        ('timezone = "Mars/Olympus"\n', "is not a zone name"),
    ],
)
def test_a_bad_policy_file_says_which_entry_and_what_to_do(tmp_path, text, words):
    with pytest.raises(policy.PolicyError, match="late.toml") as error:
        load(tmp_path, text=text)
    assert words in str(error.value)


def test_nbgrader_timestamps_and_zip_entry_times_are_read(tmp_path):
    folder = tmp_path / "in"
    (folder / "amy" / "01_patchify").mkdir(parents=True)
    (folder / "amy" / "01_patchify" / "timestamp.txt").write_text("2026-10-05 21:30:00.123456 UTC")
    assert timestamps.read(folder / "amy" / "01_patchify") == SubmissionTime(
        "2026-10-05T21:30:00.123456+00:00", timestamps.NBGRADER
    )
    notebook = (ROOT / "notebooks" / "01_patchify" / "patchify.ipynb").read_bytes()
    with zipfile.ZipFile(folder / "bea.zip", "w") as archive:
        archive.writestr(zipfile.ZipInfo("01_patchify/patchify.ipynb", (2026, 10, 6, 9, 15, 30)), notebook)
    submissions, problems = gather(folder, tmp_path / "staging")
    assert not problems and {s.student for s in submissions} == {"amy", "bea"}
    assert timestamps.read(tmp_path / "staging" / "bea" / "01_patchify") == SubmissionTime(
        "2026-10-06T09:15:30", timestamps.ZIP_ENTRY
    )


def digest(folder):
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def test_another_policy_changes_the_sheet_and_never_a_run(tmp_path):
    out = tmp_path / "out"
    cells = [
        C.cell("test_patchify", 6, [C.check("a", True)]),
        C.cell("test_unpatchify", 4, [C.check("b", True)]),
    ]
    late = datetime(2026, 10, 7, 12, 0, tzinfo=timezone(timedelta(hours=2)))  # 1 day 12 h 1 min after
    times = {"amy/01_patchify": at(late)}
    C.write_run(out, "20261010T000000Z", [C.result("amy", cells), C.result("bob", cells)], times=times)
    before = digest(out / "runs")
    policy_file = tmp_path / "late.toml"
    policy_file.write_text(POLICY.replace("{missing}", "max_penalty"))
    assert store.main([str(out), "--policy", str(policy_file)]) == 0
    with (out / "grades.csv").open(newline="") as f:
        sheet = {r["student"]: r for r in csv.DictReader(f)}
    # a percentage of the notebook's maximum: its 10 autograded points and its written answers
    maximum = 10 + C.written_points()
    late_penalty, missing_penalty = 0.2 * maximum, 0.3 * maximum  # two started days; the cap
    assert [sheet["amy"][k] for k in ("raw_score", "penalty", "final_score", "late_by")] == [
        "10",
        f"{late_penalty:g}",
        f"{10 - late_penalty:g}",
        "36.02",
    ]
    assert [sheet["bob"][k] for k in ("penalty", "final_score", "late_by")] == [
        f"{missing_penalty:g}",
        f"{10 - missing_penalty:g}",
        "",
    ]
    assert "no submission time found" in sheet["bob"]["late_note"]
    assert f"-{late_penalty:g}" in (out / "feedback" / "amy" / "index.html").read_text()
    assert store.main([str(out)]) == 0  # no policy: no penalty, same runs
    with (out / "grades.csv").open(newline="") as f:
        assert {r["student"]: r["final_score"] for r in csv.DictReader(f)} == {"amy": "10", "bob": "10"}
    assert digest(out / "runs") == before


def test_the_command_line_reports_a_bad_policy_without_a_traceback(tmp_path, capsys):
    C.write_run(tmp_path / "out", "20261010T000000Z", [C.result("amy")])
    (tmp_path / "late.toml").write_text("[deadlines]\n99_nothing = 2026-10-05T23:59:00\n")
    assert store.main([str(tmp_path / "out"), "--policy", str(tmp_path / "late.toml")]) == 2
    err = capsys.readouterr().err
    assert "late.toml" in err and "'99_nothing' is not an assignment" in err and "Traceback" not in err


def test_the_documented_example_policy_loads():
    rule = policy.load(ROOT / "docs" / "late-policy.example.toml", course.assignments())
    assert rule.penalty.percent_per_day == 10 and ("bob", "03_attention") in rule.extensions
