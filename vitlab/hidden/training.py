"""Hidden checks for notebook 6: the closed-form schedule (the notebook's answer, so instructor-only),
other schedule shapes, other models for the groups, longer epochs, and an overfitting test."""
from __future__ import annotations

import math

import torch
from torch import nn

from vitlab.checks import training as public
from vitlab.checks.core import FLOAT32, Case, Exercise, Inputs, Outcome, Tensors, require


def warmup_cosine_oracle(step: int, warmup_steps: int, total_steps: int, min_factor: float = 0.0) -> float:
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))


def _schedule_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    W, T, low = inputs["warmup_steps"], inputs["total_steps"], inputs["min_factor"]
    return {"factors": torch.tensor([warmup_cosine_oracle(s, W, T, low) for s in inputs["steps"]],
                                    dtype=torch.float64)}


SCHEDULE_HIDDEN = Exercise("warmup_cosine", public._run_schedule, _schedule_oracle, (), FLOAT32)
SCHEDULE_CASES = [
    Case("warmup 1 step, 7 in all", lambda: {"steps": list(range(10)), "warmup_steps": 1, "total_steps": 7,
                                             "min_factor": 0.0}),
    Case("warmup 100, 1000 in all, min 0.01", lambda: {"steps": [0, 49, 99, 100, 101, 300, 550, 999, 1000, 1500],
                                                       "warmup_steps": 100, "total_steps": 1000, "min_factor": 0.01}),
    Case("min_factor 0.5", lambda: {"steps": list(range(0, 40, 3)), "warmup_steps": 4, "total_steps": 30,
                                    "min_factor": 0.5}),
]


def test_warmup_cosine(warmup_cosine) -> None:
    require(SCHEDULE_HIDDEN.verdicts(warmup_cosine, SCHEDULE_CASES), "warmup_cosine (hidden)")


class OtherNames(nn.Module):
    """Parameters in another order and nesting, with a 1-D parameter that is not a bias."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 2, 2), nn.LayerNorm(4))
        self.pos_embed = nn.Parameter(torch.zeros(1, 9, 4))
        self.scale = nn.Parameter(torch.ones(4))
        self.blocks = nn.ModuleList([nn.Linear(4, 4, bias=False), nn.Linear(4, 4)])
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 4))


def test_parameter_groups(parameter_groups) -> None:
    cases = [Case("another model, weight decay 0.3", lambda: {"model": OtherNames, "weight_decay": 0.3},
                  judge=public._judge_groups),
             Case("the tiny ViT, weight decay 1e-4", lambda: {"model": public.TinyViT, "weight_decay": 1e-4},
                  judge=public._judge_groups)]
    require(public.GROUPS.verdicts(parameter_groups, cases), "parameter_groups (hidden)")


def test_train_one_epoch(train_one_epoch) -> None:
    cases = [Case("7 batches of 5, no smoothing, large clip", lambda: {
                 "seed": 11, "batches": 7, "batch_size": 5, "label_smoothing": 0.0, "max_grad_norm": 1e3},
                  judge=public._judge_train),
             Case("2 batches of 32, smoothing 0.3, clip 0.01", lambda: {
                 "seed": 12, "batches": 2, "batch_size": 32, "label_smoothing": 0.3, "max_grad_norm": 0.01},
                  judge=public._judge_train),
             Case("a tiny model overfits one small batch", lambda: {"seed": 13}, run=_overfit_run,
                  judge=_overfit_judge)]
    require(public.TRAIN.verdicts(train_one_epoch, cases), "train_one_epoch (hidden)")


def _overfit_run(fn, inputs: Inputs) -> Tensors:
    loader = public.batches(inputs["seed"], 1, 12)
    model = public.small_model(inputs["seed"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-2, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    losses = [float(fn(model, loader, optimizer, scheduler, torch.device("cpu"), label_smoothing=0.0,
                       max_grad_norm=10.0)["loss"]) for _ in range(60)]
    return {"losses": torch.tensor(losses, dtype=torch.float64)}


def _overfit_judge(check: str, inputs: Inputs, outcome: Outcome):
    from vitlab.checks.core import Verdict, describe_error

    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    losses = outcome.tensors["losses"]
    if not losses[-1] < 0.05 * losses[0]:
        return Verdict(False, check, f"60 epochs on one batch of 12 should drive the loss near 0; it went from "
                                     f"{losses[0]:.3f} to {losses[-1]:.3f}")
    return Verdict(True, check)


def test_evaluate(evaluate) -> None:
    cases = [Case("5 batches of 7 then one of 1, train mode before", lambda: {
                 "seed": 21, "batches": 6, "batch_size": 7, "last": 1, "start_in_train": True},
                  judge=public._judge_evaluate),
             Case("one batch, eval mode before", lambda: {
                 "seed": 22, "batches": 1, "batch_size": 9, "last": None, "start_in_train": False},
                  judge=public._judge_evaluate)]
    require(public.EVALUATE.verdicts(evaluate, cases), "evaluate (hidden)")


def _cosine(progress: float) -> float:
    return 0.5 * (1 + math.cos(math.pi * progress))


#: the catalogued schedule mistakes as formulas (instructor-only), by name in the public catalogue
SCHEDULE_MISTAKE_FORMULAS = {
    "warmup starts at the peak (the first steps get the full learning rate)":
        lambda s, W, T, m: 1.0 if s < W else warmup_cosine_oracle(s, W, T, m),
    "warmup starts at zero (the first step does not learn)":
        lambda s, W, T, m: s / W if s < W else warmup_cosine_oracle(s, W, T, m),
    "a linear decay instead of a cosine":
        lambda s, W, T, m: (s + 1) / W if s < W else m + (1 - m) * (1 - min(1.0, (s - W) / (T - W))),
    "the cosine ignores min_factor (it decays to 0)":
        lambda s, W, T, m: (s + 1) / W if s < W else _cosine(min(1.0, (s - W) / (T - W))),
    "the cosine counts its progress from step 0, not from the end of the warmup":
        lambda s, W, T, m: (s + 1) / W if s < W else m + (1 - m) * _cosine(min(1.0, s / T)),
    "the schedule rises again after total_steps (progress not clipped)":
        lambda s, W, T, m: (s + 1) / W if s < W else m + (1 - m) * _cosine((s - W) / (T - W)),
}


def schedule_tables(steps=public.SCHEDULE_STEPS, W: int = 5, T: int = 20, m: float = 0.1) -> dict[str, list[float]]:
    """The literal tables of the public schedule check: 'right' and one row per mistake."""
    tables = {"right": [warmup_cosine_oracle(s, W, T, m) for s in steps]}
    tables.update({name: [f(s, W, T, m) for s in steps] for name, f in SCHEDULE_MISTAKE_FORMULAS.items()})
    return tables
