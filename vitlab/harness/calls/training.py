"""Calls for notebook 6 (training): how the checks call ``warmup_cosine``, ``parameter_groups``,
``smoothed_cross_entropy``, ``train_one_epoch`` and ``evaluate``. No expected values here.

The loops are called on instruments built from the inputs (:mod:`vitlab.harness.instruments`) and
hand back their effects: final weights by name, the learning rate of every step, what they
reported, the mode of every submodule.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from vitlab.harness import instruments, scratch
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


# --------------------------------------------------------------------------------------------------
# smoothed_cross_entropy, from scratch

#: the built-ins that compute the (smoothed) cross-entropy for you, by identity (nn.CrossEntropyLoss
#: calls F.cross_entropy)
LOSS_FORBIDDEN = scratch.forbidden_table(
    [
        (F.cross_entropy, "F.cross_entropy / nn.CrossEntropyLoss"),
        (scratch.private("_C._nn.cross_entropy_loss"), "F.cross_entropy / nn.CrossEntropyLoss"),
    ]
)
LOSS_LABELS = tuple(dict.fromkeys(LOSS_FORBIDDEN.values()))
#: what the function returned: a tensor, a Python number, something else
RETURNED_TENSOR, RETURNED_NUMBER, RETURNED_OTHER = 0, 1, 2


def smoothed_cross_entropy(objects: dict, inputs: Inputs) -> Tensors:
    """smoothed_cross_entropy(logits, targets, smoothing) on logits that require grad: the loss, what
    kind of value came back, whether it is attached to the graph, and the gradient of the loss with
    respect to the logits (when the loss is one number attached to the graph)."""
    fn = objects["smoothed_cross_entropy"]
    logits = inputs["logits"].clone().requires_grad_(True)  # (B, K)
    targets = inputs["targets"].clone()  # (B,)
    value = fn(logits, targets, inputs["smoothing"])
    if not isinstance(value, torch.Tensor):
        number, kind = instruments.number(value)
        returned = RETURNED_OTHER if kind in (instruments.NOT_A_NUMBER, instruments.NONE) else RETURNED_NUMBER
        return {
            "loss": torch.tensor(number, dtype=torch.float64),
            "returned": torch.tensor(returned),
            "graph": torch.tensor(0),
        }
    result = {
        "loss": value.detach().clone(),
        "returned": torch.tensor(RETURNED_TENSOR),
        "graph": torch.tensor(int(value.requires_grad)),
    }
    if value.requires_grad and value.numel() == 1:
        (gradient,) = torch.autograd.grad(value.sum(), [logits], allow_unused=True)
        if gradient is not None:
            result["gradient"] = gradient  # (B, K)
    return result


def smoothed_cross_entropy_scratch(objects: dict, inputs: Inputs) -> Tensors:
    """smoothed_cross_entropy watched while it runs at a few sizes (no gradients)."""
    fn = objects["smoothed_cross_entropy"]
    runs = ((fn, (logits, targets, smoothing)) for logits, targets, smoothing in inputs["runs"])
    return scratch.across_sizes(runs, LOSS_LABELS, LOSS_FORBIDDEN)


def train_one_epoch(objects: dict, inputs: Inputs) -> Tensors:
    return instruments.TrainingRun(inputs).run(objects["train_one_epoch"])


def evaluate(objects: dict, inputs: Inputs) -> Tensors:
    return instruments.EvaluationRun(inputs).run(objects["evaluate"])
