"""Calls for notebook 6 (training): how the checks call ``warmup_cosine``, ``parameter_groups``,
``train_one_epoch`` and ``evaluate``. No expected values here.

The loops are called on instruments built from the inputs (:mod:`vitlab.harness.instruments`) and
hand back their effects: final weights by name, the learning rate of every step, what they
reported, the mode of every submodule.
"""

from __future__ import annotations

import math

import torch

from vitlab.harness import instruments
from vitlab.harness.wire import Inputs, Tensors


def warmup_cosine(objects: dict, inputs: Inputs) -> Tensors:
    """The factor at each step, called directly and through ``LambdaLR`` (the learning rate used)."""
    fn = objects["warmup_cosine"]
    W, T, m = inputs["warmup_steps"], inputs["total_steps"], inputs["min_factor"]
    args = (W, T) if m is None else (W, T, m)  # None: leave min_factor at its default
    steps = list(inputs["steps"])
    values, kinds = zip(*(instruments.number(fn(step, *args)) for step in steps), strict=True)
    usable = all(
        k in (instruments.FLOAT, instruments.INT, instruments.TENSOR, instruments.OTHER_NUMBER) for k in kinds
    )
    if usable:
        rates = instruments.lambda_lr_rates(lambda step: fn(step, *args), inputs["base_lr"], max(steps) + 1)
        lrs = [rates[step] for step in steps]
    else:
        lrs = [math.nan] * len(steps)
    return {
        "factors": torch.tensor(values, dtype=torch.float64),
        "kinds": torch.tensor(kinds, dtype=torch.int64),
        "lrs": torch.tensor(lrs, dtype=torch.float64),
    }


def parameter_groups(objects: dict, inputs: Inputs) -> Tensors:
    """The groups for a model (float64, some parameters frozen), and what AdamW does with them."""
    model = instruments.build(inputs["model"], inputs["state"]).double()
    frozen = set(inputs["frozen"])
    for name, p in model.named_parameters():
        p.requires_grad_(name not in frozen)
    groups = objects["parameter_groups"](model, inputs["weight_decay"])
    return instruments.group_effects(model, groups)


def train_one_epoch(objects: dict, inputs: Inputs) -> Tensors:
    return instruments.TrainingRun(inputs).run(objects["train_one_epoch"])


def evaluate(objects: dict, inputs: Inputs) -> Tensors:
    return instruments.EvaluationRun(inputs).run(objects["evaluate"])
