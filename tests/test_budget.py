"""The budget planner under simulated clocks: a slow start, a slow middle (another process on the
machine), a fast end, and a steady run. It must never leave more than one epoch's worth of budget
unused, and never overrun the budget by more than one evaluation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vitlab.budget import BudgetPlan


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def simulate(
    step_seconds: Callable[[int], float],
    *,
    budget: float = 600.0,
    steps_per_epoch: int = 400,
    epochs: int = 30,
    evaluation: float = 4.0,
    final_scale: float = 1.0,
) -> tuple[BudgetPlan, float, list[float]]:
    """A training run as notebook 6's fit drives the planner; returns the plan, the end time and the
    seconds each epoch took. The last evaluation takes `final_scale` times an ordinary one (fit scores
    a subset of the test set after each epoch and the whole of it after the last)."""
    clock = Clock()
    plan = BudgetPlan(
        steps_per_epoch, epochs, budget_s=budget, clock=clock, final_evaluation_scale=final_scale
    )
    loader = list(range(steps_per_epoch))
    epoch_seconds = []
    while not plan.done:
        start = clock.now
        for _ in plan.batches(loader):
            clock.now += step_seconds(plan.steps)
        seconds = evaluation * (final_scale if plan.done else 1.0)
        clock.now += seconds
        plan.evaluated(seconds)
        epoch_seconds.append(clock.now - start)
    return plan, clock.now, epoch_seconds


def _epoch_at_end(step_seconds: Callable[[int], float], plan: BudgetPlan) -> float:
    return plan.steps_per_epoch * step_seconds(plan.steps)


@pytest.mark.parametrize(
    "name, step_seconds",
    [
        ("steady", lambda step: 0.05),
        ("slow start (compilation)", lambda step: 2.0 if step < 10 else 0.3 if step < 60 else 0.05),
        ("slow middle (another process)", lambda step: 0.14 if 1500 <= step < 4000 else 0.05),
        ("fast end", lambda step: 0.08 if step < 3000 else 0.03),
        ("slower and slower", lambda step: 0.03 + step * 2e-5),
    ],
)
def test_the_budget_is_kept(name, step_seconds):
    budget, evaluation = 600.0, 4.0
    plan, end, _ = simulate(step_seconds, budget=budget, evaluation=evaluation)
    unused = budget - end
    assert end <= budget + evaluation + 1e-6, f"{name}: overran by {end - budget:.1f} s"
    assert unused <= _epoch_at_end(step_seconds, plan), f"{name}: {unused:.0f} s of the budget unused"
    assert plan.warmup == max(1, int(0.03 * plan.total)) and plan.steps == plan.total


def test_under_load_the_plan_keeps_training_until_the_budget():
    """The landed planner fixed its total from early steps: a machine that got twice as slow after
    step 1000 made it stop at 330 s of 600. Re-planning throughout keeps going to the budget."""
    plan, end, _ = simulate(lambda step: 0.05 if step < 1000 else 0.02)
    assert end >= 600 - 400 * 0.02
    plan, end, _ = simulate(lambda step: 0.02 if step < 1000 else 0.05)
    assert end <= 600 + 4.0


@pytest.mark.parametrize("final_scale", [1.0, 5.0])
def test_a_bigger_last_evaluation_is_reserved(final_scale):
    """fit evaluates 2,000 test images after each epoch and all 10,000 after the last: five times the
    cost. The plan reserves it, so the run still ends within the budget, without leaving an epoch."""
    budget, evaluation = 600.0, 1.0
    plan, end, _ = simulate(lambda step: 0.05, budget=budget, evaluation=evaluation, final_scale=final_scale)
    assert end <= budget + 1e-6, f"overran by {end - budget:.1f} s"
    assert budget - end <= 400 * 0.05 + evaluation


def test_an_unreserved_last_evaluation_overruns():
    """The same run with a planner that does not know the last evaluation is bigger overruns by
    about four ordinary evaluations: the reserve above is what keeps the budget."""
    clock = Clock()
    plan = BudgetPlan(400, 30, budget_s=600.0, clock=clock)  # final_evaluation_scale left at 1
    while not plan.done:
        for _ in plan.batches(range(400)):
            clock.now += 0.05
        seconds = 5.0 if plan.done else 1.0
        clock.now += seconds
        plan.evaluated(seconds)
    assert clock.now > 600.0 + 3.0


def test_without_a_budget_it_runs_the_epochs():
    plan, _, epochs = simulate(lambda step: 1.0, budget=None, epochs=3, steps_per_epoch=10)
    assert plan.total == 30 and plan.steps == 30 and len(epochs) == 3


def test_a_finished_plan_is_never_stretched():
    plan, _, _ = simulate(lambda step: 0.05)
    total = plan.total
    plan.evaluated(0.0)
    plan.replan()
    assert plan.total == total and plan.done


def test_images_and_steps_are_counted():
    clock = Clock()
    plan = BudgetPlan(steps_per_epoch=3, epochs=1, clock=clock)
    batches = [(None, [0] * 8), (None, [0] * 8), (None, [0] * 5)]
    assert list(plan.batches(batches)) == batches
    assert (plan.steps, plan.images, plan.done) == (3, 21, True)
