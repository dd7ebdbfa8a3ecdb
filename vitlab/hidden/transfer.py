"""Hidden checks for notebook 7: other widths, names and dtypes, the course ViT itself, a partly
frozen backbone, and what a training step with the student's functions really changes."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from vitlab.checks import transfer as public
from vitlab.checks.core import (
    EXACT,
    Case,
    Exercise,
    Inputs,
    Outcome,
    Tensors,
    Verdict,
    describe_error,
    require,
)
from vitlab.models import ViT, ViTConfig


def test_replace_head(replace_head) -> None:
    cases = [
        Case("a 40-wide model, 5 -> 2 classes, float64", lambda: {"dim": 40, "classes": 5, "num_classes": 2,
                                                                 "float64": True}, judge=public._judge_replace),
        Case("nested, 8 -> 11 classes", lambda: {"dim": 8, "classes": 8, "num_classes": 11, "nested": True},
             judge=public._judge_replace),
    ]
    require(public.REPLACE_HEAD.verdicts(replace_head, cases), "replace_head (hidden)")
    require(COURSE_HEAD.verdicts(replace_head, [Case("the course ViT, 5 -> 9 classes", lambda: {"classes": 9})]),
            "replace_head on the course ViT (hidden)")


def course_vit() -> ViT:
    torch.manual_seed(3)
    return ViT(ViTConfig(dim=16, depth=1, heads=2, classes=5))


def _run_course_head(fn, inputs: Inputs) -> Tensors:
    model = course_vit()
    old = model.head.weight.detach().clone()
    new = fn(model, inputs["classes"])
    logits = model(torch.zeros(2, 1, 28, 28))
    return {"logits_shape": torch.tensor(list(logits.shape)), "is_head": torch.tensor([int(model.head is new)]),
            "fresh": torch.tensor([int(new.weight.shape != old.shape or not torch.equal(new.weight, old))])}


COURSE_HEAD = Exercise("replace_head", _run_course_head,
                       lambda inputs, _: {"logits_shape": torch.tensor([2, inputs["classes"]]),
                                          "is_head": torch.tensor([1]), "fresh": torch.tensor([1])}, (), EXACT)


def test_freeze_backbone(freeze_backbone) -> None:
    cases = [Case("nested head (torchvision's layout), float64", lambda: {"dim": 8, "classes": 3, "nested": True,
                                                                         "float64": True}),
             Case("a wider model", lambda: {"dim": 32, "classes": 6, "seed": 4})]
    require(public.FREEZE.verdicts(freeze_backbone, cases), "freeze_backbone (hidden)")
    require(COURSE_FREEZE.verdicts(freeze_backbone, [Case("the course ViT: a training step moves the head only",
                                                          lambda: {"seed": 5})]),
            "freeze_backbone on the course ViT (hidden)")


def _run_course_freeze(fn, inputs: Inputs) -> Tensors:
    model = course_vit()
    fn(model, model.head)
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    g = torch.Generator().manual_seed(inputs["seed"])
    loss = F.cross_entropy(model(torch.randn(4, 1, 28, 28, generator=g)), torch.tensor([0, 1, 2, 3]))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    moved = [int(not torch.equal(b, p)) for b, p in zip(before, model.parameters())]
    return {"moved": torch.tensor(moved)}


COURSE_FREEZE = Exercise(
    "freeze_backbone", _run_course_freeze,
    lambda inputs, _: {"moved": torch.tensor([int(n.startswith("head.")) for n, _ in course_vit().named_parameters()])},
    (), EXACT)


def test_transfer_optimizer(transfer_optimizer) -> None:
    cases = [
        Case("head lr 5e-2, backbone lr 5e-5, no weight decay",
             lambda: {"dim": 8, "classes": 2, "head_lr": 5e-2, "backbone_lr": 5e-5, "weight_decay": 0.0},
             judge=public._judge_optimizer),
        Case("nested head, frozen backbone, weight decay 0.3",
             lambda: {"dim": 8, "classes": 4, "nested": True, "head_lr": 1e-2, "backbone_lr": 1e-3,
                      "weight_decay": 0.3, "frozen": True}, judge=public._judge_optimizer),
    ]
    require(public.OPTIMIZER.verdicts(transfer_optimizer, cases), "transfer_optimizer (hidden)")
    require(PARTLY.verdicts(transfer_optimizer, [Case("only the blocks frozen; steps with zero gradients",
                                                      lambda: {"seed": 6}, judge=_judge_partly)]),
            "transfer_optimizer with a partly frozen backbone (hidden)")


def _partly_frozen() -> ViT:
    model = course_vit()
    for p in model.blocks.parameters():
        p.requires_grad_(False)
    return model


def _run_partly(fn, inputs: Inputs) -> Tensors:
    """Train one step, then three steps whose gradients are zero tensors (zero_grad(set_to_none=False))."""
    model = _partly_frozen()
    for p in model.blocks.parameters():  # frozen, but with gradient tensors, as after training unfrozen
        p.grad = torch.zeros_like(p)
    optimizer = fn(model, model.head, 1e-2, 1e-3, 0.1)
    before = [p.detach().clone() for p in model.parameters()]
    g = torch.Generator().manual_seed(inputs["seed"])
    for _ in range(3):
        loss = F.cross_entropy(model(torch.randn(4, 1, 28, 28, generator=g)), torch.tensor([0, 1, 2, 3]))
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        optimizer.step()
    lrs = {id(p): float(group["lr"]) for group in optimizer.param_groups for p in group["params"]}
    return {"moved": torch.tensor([int(not torch.equal(b, p)) for b, p in zip(before, model.parameters())]),
            "lr": torch.tensor([lrs.get(id(p), float("nan")) for p in model.parameters()], dtype=torch.float64)}


def _partly_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    names = [n for n, _ in _partly_frozen().named_parameters()]
    frozen = [n.startswith("blocks.") for n in names]
    return {"moved": torch.tensor([int(not f) for f in frozen]),
            "lr": torch.tensor([float("nan") if f else (1e-2 if n.startswith("head.") else 1e-3)
                                for n, f in zip(names, frozen)], dtype=torch.float64)}


def _judge_partly(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    moved_frozen = [n for (n, _), m in zip(_partly_frozen().named_parameters(), outcome.tensors["moved"].tolist())
                    if n.startswith("blocks.") and m]
    if moved_frozen:
        return Verdict(False, check, f"frozen parameters moved ({moved_frozen[0]}, ...): the optimizer holds them.\n"
                                     f"this looks like a typical mistake: {public.FROZEN_IN_OPTIMIZER}.",
                       mistake=public.FROZEN_IN_OPTIMIZER)
    return PARTLY.verdict(Case(check.split(": ", 1)[-1], lambda: inputs), inputs, outcome)


PARTLY = Exercise("transfer_optimizer", _run_partly, _partly_oracle, (), EXACT)

