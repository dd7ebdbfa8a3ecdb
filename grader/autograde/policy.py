"""Late work as a policy file: deadlines per assignment, extensions per student, a penalty rule.

A TOML file (``make grades POLICY=late-policy.toml``; ``docs/late-policy.example.toml`` is a commented
example)::

    timezone = "Europe/Amsterdam"        # zone of times written without an offset (zip entries too)

    [deadlines]
    01_patchify = 2026-10-05T23:59:00    # TOML date-times; an offset (+02:00, Z) overrides timezone

    [extensions]                         # per student: a new deadline, or days/hours added ("2d", "36h")
    alice = { 01_patchify = 2026-10-07T23:59:00 }
    bob = { 01_patchify = "2d" }

    [penalty]
    percent_per_day = 10                 # each started day late (after the grace period) costs 10%
    max_percent = 50                     # ... at most 50% ...
    of = "max_score"                     # ... of the notebook's maximum ("score": of what it earned)
    grace_minutes = 5
    zero_after_days = 7                  # more than 7 days late earns nothing (optional)
    missing_timestamp = "on_time"        # no time found: "on_time", "max_penalty" or "zero"

The decision is computed when the grade sheet is rebuilt, from the times the grading run recorded
(:mod:`.timestamps`): changing the policy and rebuilding never touches a run. A final score never
goes below zero, and every decision says in words what was applied (``late_note``).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from grader.autograde.timestamps import SubmissionTime

ON_TIME, MAX_PENALTY, ZERO = "on_time", "max_penalty", "zero"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dh])\s*$")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class Penalty:
    percent_per_day: float = 0.0
    max_percent: float = 100.0
    of: str = "max_score"
    grace_minutes: float = 0.0
    zero_after_days: float | None = None
    missing_timestamp: str = ON_TIME


@dataclass(frozen=True)
class Policy:
    source: str = "no late policy"
    zone: tzinfo = UTC
    deadlines: dict[str, datetime] = field(default_factory=dict)
    #: (student, assignment) -> a new deadline or a delay added to the assignment's deadline
    extensions: dict[tuple[str, str], datetime | timedelta] = field(default_factory=dict)
    penalty: Penalty = Penalty()

    def deadline(self, student: str, assignment: str) -> tuple[datetime | None, bool]:
        """The deadline that applies to this student, and whether it is an extension."""
        base = self.deadlines.get(assignment)
        extension = self.extensions.get((student, assignment))
        if isinstance(extension, datetime):
            return extension, True
        if isinstance(extension, timedelta) and base is not None:
            return base + extension, True
        return base, False


@dataclass(frozen=True)
class Decision:
    """What the policy did to one notebook's score."""

    submitted_at: datetime | None
    deadline: datetime | None
    late_by: timedelta | None  # None: unknown (no time found) or no deadline
    penalty: float
    note: str

    @property
    def late_hours(self) -> str:
        return "" if self.late_by is None else f"{max(self.late_by, timedelta()).total_seconds() / 3600:.2f}"


NO_POLICY = Policy()


def _aware(value: datetime, zone: tzinfo) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _when(value: object, zone: tzinfo, where: str) -> datetime:
    if isinstance(value, datetime):
        return _aware(value, zone)
    if isinstance(value, str):
        try:
            return _aware(datetime.fromisoformat(value), zone)
        except ValueError:
            pass
    raise PolicyError(f"{where}: {value!r} is not a date and time; write it as 2026-10-05T23:59:00")


def _extension(value: object, zone: tzinfo, where: str) -> datetime | timedelta:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(days=float(value))
    if isinstance(value, str) and (m := _DURATION.match(value)):
        amount = float(m[1])
        return timedelta(days=amount) if m[2] == "d" else timedelta(hours=amount)
    try:
        return _when(value, zone, where)
    except PolicyError:
        raise PolicyError(
            f"{where}: {value!r} is neither a new deadline (2026-10-07T23:59:00) nor a delay "
            '("2d", "36h", or a number of days)'
        ) from None


def load(path: Path, assignments: list[str] | None = None) -> Policy:
    """Read and check a policy file; :class:`PolicyError` says which entry is wrong and how to fix it."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such late-policy file (see docs/late-policy.example.toml)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: not valid TOML ({error}); see docs/late-policy.example.toml") from None
    unknown = set(data) - {"timezone", "deadlines", "extensions", "penalty"}
    if unknown:
        raise PolicyError(
            f"{path}: unknown section(s) {sorted(unknown)}; expected timezone, deadlines, extensions, penalty"
        )
    try:
        zone: tzinfo = ZoneInfo(str(data.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(
            f"{path}: timezone {data.get('timezone')!r} is not a zone name such as "
            '"UTC" or "Europe/Amsterdam"'
        ) from None
    known = set(assignments) if assignments is not None else None

    def check_assignment(name: str, where: str) -> None:
        if known is not None and name not in known:
            raise PolicyError(
                f"{path}: {where}: {name!r} is not an assignment of this course; "
                f"expected one of {', '.join(sorted(known))}"
            )

    deadlines = {}
    for name, value in dict(data.get("deadlines", {})).items():
        check_assignment(name, "[deadlines]")
        deadlines[name] = _when(value, zone, f"{path}: [deadlines] {name}")
    extensions: dict[tuple[str, str], datetime | timedelta] = {}
    for student, entries in dict(data.get("extensions", {})).items():
        if not isinstance(entries, dict):
            raise PolicyError(
                f'{path}: [extensions] {student} must be a table such as {student} = {{ 01_patchify = "2d" }}'
            )
        for name, value in entries.items():
            check_assignment(name, f"[extensions] {student}")
            extensions[(student, name)] = _extension(value, zone, f"{path}: [extensions] {student}.{name}")
    raw = dict(data.get("penalty", {}))
    fields = set(Penalty.__dataclass_fields__)
    if set(raw) - fields:
        raise PolicyError(
            f"{path}: [penalty] has unknown key(s) {sorted(set(raw) - fields)}; expected "
            f"{', '.join(sorted(fields))}"
        )
    try:
        penalty = Penalty(**raw)
        numbers = [penalty.percent_per_day, penalty.max_percent, penalty.grace_minutes]
        if penalty.zero_after_days is not None:
            numbers.append(penalty.zero_after_days)
        if any(not isinstance(n, int | float) or n < 0 for n in numbers) or penalty.max_percent > 100:
            raise TypeError
    except TypeError:
        raise PolicyError(f"{path}: [penalty] numbers must be >= 0 (max_percent at most 100)") from None
    if penalty.of not in ("max_score", "score"):
        raise PolicyError(f'{path}: [penalty] of = {penalty.of!r}; use "max_score" or "score"')
    if penalty.missing_timestamp not in (ON_TIME, MAX_PENALTY, ZERO):
        raise PolicyError(
            f"{path}: [penalty] missing_timestamp = {penalty.missing_timestamp!r}; use "
            f'"{ON_TIME}", "{MAX_PENALTY}" or "{ZERO}"'
        )
    for (student, name), extension in extensions.items():
        if isinstance(extension, timedelta) and name not in deadlines:
            raise PolicyError(
                f"{path}: [extensions] {student}.{name} adds time to a deadline that [deadlines] "
                f"does not set; give {name} a deadline or the student a date"
            )
    return Policy(str(path), zone, deadlines, extensions, penalty)


def _days(late: timedelta) -> int:
    return math.ceil(late / timedelta(days=1) - 1e-9)


def decide(
    policy: Policy,
    student: str,
    assignment: str,
    submitted: SubmissionTime | None,
    raw: float,
    max_score: float,
) -> Decision:
    """The penalty for one notebook: never more than it earned, so the final score is never negative."""
    deadline, extended = policy.deadline(student, assignment)
    rule = policy.penalty
    base = max_score if rule.of == "max_score" else raw
    which = "extended deadline" if extended else "deadline"
    if deadline is None:
        when = _aware(submitted.when, policy.zone) if submitted else None
        return Decision(when, None, None, 0.0, "" if policy is NO_POLICY else f"no deadline for {assignment}")
    if submitted is None:
        if rule.missing_timestamp == ON_TIME:
            return Decision(
                None,
                deadline,
                None,
                0.0,
                f"no submission time found; the late policy ({policy.source}) counts it as on time",
            )
        percent = 100.0 if rule.missing_timestamp == ZERO else rule.max_percent
        penalty = min(raw, base * percent / 100)
        return Decision(
            None,
            deadline,
            None,
            penalty,
            f"no submission time found; the late policy ({policy.source}) applies a {percent:g}% penalty",
        )
    when = _aware(submitted.when, policy.zone)
    late = when - deadline
    if late <= timedelta(minutes=rule.grace_minutes):
        note = (
            f"on time ({which} {deadline.isoformat()})"
            if late <= timedelta()
            else (f"within the {rule.grace_minutes:g}-minute grace period of the {which}")
        )
        return Decision(when, deadline, late, 0.0, note)
    days = _days(late - timedelta(minutes=rule.grace_minutes))
    if rule.zero_after_days is not None and late > timedelta(days=rule.zero_after_days):
        return Decision(
            when, deadline, late, raw, f"more than {rule.zero_after_days:g} days after the {which}: no points"
        )
    percent = min(rule.max_percent, days * rule.percent_per_day)
    penalty = min(raw, base * percent / 100)
    capped = " (capped)" if percent < days * rule.percent_per_day else ""
    floor = " (the score cannot go below zero)" if penalty < base * percent / 100 else ""
    return Decision(
        when,
        deadline,
        late,
        penalty,
        f"{days} day(s) after the {which}: {percent:g}% of the "
        f"{'maximum' if rule.of == 'max_score' else 'score'}"
        f"{capped}{floor}",
    )
