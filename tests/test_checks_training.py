"""The training checks' literal tables agree with the instructor-only closed form."""
from __future__ import annotations

import pytest

from vitlab.checks import training as public
from vitlab.hidden import training as hidden


def test_public_schedule_tables_match_the_closed_form():
    tables = hidden.schedule_tables()
    assert tables.pop("right") == pytest.approx(public.SCHEDULE_RIGHT, abs=1e-10)
    literal = {name: values for name, _, values in public.SCHEDULE_MISTAKES}
    assert set(literal) == set(tables)
    for name, values in tables.items():
        assert literal[name] == pytest.approx(values, abs=1e-10), name


def test_schedule_mistakes_are_distinguishable():
    rows = [tuple(round(v, 6) for v in values) for _, _, values in public.SCHEDULE_MISTAKES]
    rows.append(tuple(round(v, 6) for v in public.SCHEDULE_RIGHT))
    assert len(set(rows)) == len(rows)
