"""Training for a wall-clock budget: how many optimizer steps fit, re-planned while the run goes on.

A learning-rate schedule needs its length in advance (the cosine must reach its floor on the last
step), but a budget is in seconds, and a step's cost depends on the machine, on what else runs on
it and on compilation. :class:`BudgetPlan` therefore re-plans throughout: after every few steps it
measures the recent seconds per step (a median, so one hiccup does not swing the plan) and the
seconds an evaluation takes, and sets the total so that training, with the evaluations still to
come, ends when the budget does. The warmup and the cosine stretch or shrink with the total.

Promises, tested with simulated clocks (tests/test_budget.py): the run never ends with more than
one epoch's worth of budget unused, and never overruns its budget by more than one evaluation.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BudgetPlan:
    """The number of steps of a run, kept to ``budget_s`` seconds of wall time (None: ``epochs`` passes).

    Use :meth:`batches` around the loader of each epoch and call :meth:`evaluated` after each
    evaluation; read :attr:`total` and :attr:`warmup` for the schedule, :attr:`done` to stop.
    """

    steps_per_epoch: int
    epochs: int
    budget_s: float | None = None
    warmup_fraction: float = 0.03
    skip: int = 10  # the first steps (compilation, caches) are not timed
    every: int = 20  # re-plan every this many steps
    window: int = 200  # seconds per step from the last this many steps
    final_evaluation_scale: float = 1.0  # the last evaluation costs this many ordinary ones (a bigger set)
    clock: Callable[[], float] = time.perf_counter
    steps: int = 0
    images: int = 0
    total: int = 0
    warmup: int = 1
    started: float | None = None
    evaluations: list[float] = field(default_factory=list)
    recent: deque = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.recent = deque(maxlen=self.window)
        self._set_total(self.epochs * self.steps_per_epoch)

    # -- the schedule -------------------------------------------------------------------------------

    def _set_total(self, total: int) -> None:
        self.total = max(int(total), self.steps, 1)
        self.warmup = max(1, int(self.warmup_fraction * self.total))

    @property
    def done(self) -> bool:
        return self.steps >= self.total

    @property
    def elapsed(self) -> float:
        return 0.0 if self.started is None else self.clock() - self.started

    def seconds_per_step(self) -> float | None:
        return statistics.median(self.recent) if self.recent else None

    def seconds_per_evaluation(self) -> float:
        return statistics.median(self.evaluations[-3:]) if self.evaluations else 0.0

    def replan(self) -> None:
        """Set the total so that the steps left, and the evaluations they bring, fill the budget."""
        per_step = self.seconds_per_step()
        if self.budget_s is None or per_step is None or self.done:
            return  # a finished schedule stays finished: no extra steps at the floor
        left = self.budget_s - self.elapsed
        per_evaluation = self.seconds_per_evaluation()
        # each epoch boundary still to come costs an evaluation; the last one (perhaps on more images)
        # is reserved in full
        per_step_with_evaluations = per_step + per_evaluation / self.steps_per_epoch
        more = int(max(0.0, left - per_evaluation * self.final_evaluation_scale) / per_step_with_evaluations)
        self._set_total(self.steps + more)

    # -- the run ------------------------------------------------------------------------------------

    def batches(self, loader: Iterable[Any]) -> Iterator[Any]:
        """The loader's batches until the plan is done; times every step and re-plans as it goes."""
        if self.started is None:
            self.started = self.clock()
        last = self.clock()
        for batch in loader:
            if self.done:
                break
            yield batch
            now = self.clock()
            self.steps += 1
            self.images += _batch_size(batch)
            if self.steps > self.skip:
                self.recent.append(now - last)
            if self.steps > self.skip and self.steps % self.every == 0:
                self.replan()
            last = self.clock()

    def evaluated(self, seconds: float) -> None:
        """Record an evaluation's duration (it counts against the budget) and re-plan with it."""
        self.evaluations.append(seconds)
        self.replan()


def _batch_size(batch: Any) -> int:
    labels = batch[-1] if isinstance(batch, tuple | list) else batch
    return len(labels) if hasattr(labels, "__len__") else 1
