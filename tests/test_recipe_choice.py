"""Notebook 6's recipe choice, run from the solution notebook's own cells: COURSE where the probe's
rate gives it at least 20 epochs in the training budget, else LEAN. The thresholds below are the ones
notebook 6 and benchmarks/README.md state (2,000 images/s for 10 minutes, 333 for an hour, 10,000 for
the 2-minute default run), and the probe readings the benchmarks recorded per CPU kind."""

from __future__ import annotations

import pytest

from benchmarks.train import course_namespace


@pytest.fixture(scope="module")
def notebook() -> dict:
    return course_namespace()


@pytest.mark.parametrize(
    ("images_per_s", "budget_s", "expected"),
    [
        (3_400, 600, "COURSE"),  # the Xeon with AMX, 10 minutes
        (2_000, 600, "COURSE"),  # exactly 20 epochs
        (1_999, 600, "LEAN"),
        (1_550, 600, "LEAN"),  # the Xeon without AMX, its highest probe reading
        (1_000, 600, "LEAN"),  # the AVX2-only EPYC
        (1_000, 3_600, "COURSE"),  # an hour: 60 epochs on the EPYC
        (1_368, 3_600, "COURSE"),  # the Xeon without AMX, the hour's run
        (334, 3_600, "COURSE"),
        (333, 3_600, "LEAN"),
        (3_400, 120, "LEAN"),  # the 2-minute default run: a CPU gets LEAN
        (10_000, 120, "COURSE"),
    ],
)
def test_choice_follows_the_epochs_the_budget_buys(
    notebook: dict, images_per_s: float, budget_s: float, expected: str
) -> None:
    chosen, why = notebook["choose_recipe"](images_per_s, budget_s)
    assert chosen is notebook[expected], f"{images_per_s} images/s for {budget_s} s: got {why!r}"
    assert f"{images_per_s * budget_s / 60_000:.1f} epochs" in why  # says what it measured


def test_the_two_recipes_differ_as_the_notebook_says(notebook: dict) -> None:
    course, lean = notebook["COURSE"].model, notebook["LEAN"].model
    assert (course.depth, lean.depth) == (6, 4)
    assert round(course.token_keep * 49) == 15 and round(lean.token_keep * 49) == 10
