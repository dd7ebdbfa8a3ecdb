"""docs/exercises.md is the registry's index, kept true; sample files are named after their grade id."""

from __future__ import annotations

import pytest

from grader import index, samples
from tests.conftest import assignments
from vitlab.checks import registry


def test_the_exercise_index_is_up_to_date():
    assert index.TARGET.read_text() == index.render(), "docs/exercises.md is out of date: run `make index`"


@pytest.mark.parametrize("assignment", assignments())
def test_sample_files_start_with_the_grade_id_they_reproduce(assignment):
    ids = {
        e.grade_id.removeprefix("test_") for e in registry.of_topic(registry.topic_of_assignment(assignment))
    }
    for sample in samples.all_samples(assignment):
        if sample.name in ("reference", "blank"):
            continue
        prefix, sep, _ = sample.name.partition("--")
        assert sep and prefix in ids, (
            f"{assignment}/{sample.name}.py: name it <grade id without test_>--<what>.py"
        )
        assert all(test == f"test_{prefix}" for test, _ in sample.expects), (
            f"{sample.name}: expects another exercise"
        )
