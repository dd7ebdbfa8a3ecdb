"""Checks for notebook 7 (transfer learning): a new head, a frozen backbone, two learning rates.

The exercises change a model in place, so each check builds a small model of its own (a backbone
with a BatchNorm, dropout, a LayerNorm and parameters that belong to the model itself, like a ViT's
class token), hands it to the student's function, and records what came out as plain tensors: which
parameters still train, which modules are in training mode, which learning rate and weight decay
each parameter got. The verdicts compare those records with the rules the notebook states.
"""
from __future__ import annotations

import torch
from torch import nn

from vitlab.checks.core import (
    EXACT,
    Case,
    Exercise,
    Inputs,
    Mistake,
    Outcome,
    Tensors,
    Verdict,
    describe_error,
    require,
)

COURSE_WIDTH = 64  # the width of notebook 7's ViT: the in_features a hard-coded head would use


class Backbone(nn.Module):
    """A small feature extractor with every kind of module whose mode or freezing matters."""

    def __init__(self, dim: int):
        super().__init__()
        self.embed = nn.Linear(12, dim)
        self.bn = nn.BatchNorm1d(dim)
        self.drop = nn.Dropout(0.5)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.drop(torch.relu(self.bn(self.embed(x)))))


class ProbeNet(nn.Module):
    """(B, 12) -> (B, classes): a backbone, a parameter of the model itself (like a class token), a head."""

    def __init__(self, dim: int = 24, classes: int = 5, nested: bool = False, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.backbone = Backbone(dim)
        self.cls_token = nn.Parameter(torch.zeros(dim))
        head = nn.Linear(dim, classes)
        if nested:  # torchvision's layout: model.heads.head
            self.heads = nn.Sequential()
            self.heads.add_module("head", head)
        else:
            self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.backbone(x) + self.cls_token  # (B, dim)
        return (self.heads if hasattr(self, "heads") else self.head)(features)


class DropHead(nn.Module):
    """A head with its own dropout (as timm's ``head_drop``), so the head's mode matters too."""

    def __init__(self, dim: int, classes: int):
        super().__init__()
        self.drop = nn.Dropout(0.1)
        self.fc = nn.Linear(dim, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.drop(x))


def probe_net(inputs: Inputs) -> nn.Module:
    model = ProbeNet(inputs["dim"], inputs["classes"], inputs.get("nested", False), inputs.get("seed", 0))
    if inputs.get("drop_head"):
        model.head = DropHead(inputs["dim"], inputs["classes"])
    if inputs.get("float64"):
        model.double()
    model.train()
    return model


def head_of(model: nn.Module) -> nn.Module:
    return model.heads.head if hasattr(model, "heads") else model.head


def in_head(name: str) -> bool:
    return name.startswith(("head.", "heads."))


# --------------------------------------------------------------------------------------------------
# Exercise 1: replace_head(model, num_classes, name="head") -> nn.Linear


def _run_replace(fn, inputs: Inputs) -> Tensors:
    model = probe_net(inputs)
    name = "heads.head" if inputs.get("nested") else "head"
    old = model.get_submodule(name)
    new = fn(model, inputs["num_classes"], name) if inputs.get("nested") else fn(model, inputs["num_classes"])
    placed = model.get_submodule(name)
    x = torch.randn(6, 12, generator=torch.Generator().manual_seed(1), dtype=old.weight.dtype)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    weight = getattr(placed, "weight", None)
    return {
        "shape": torch.tensor([getattr(placed, "in_features", -1), getattr(placed, "out_features", -1)]),
        "facts": torch.tensor([
            int(isinstance(new, nn.Linear)),  # returns the new head
            int(placed is new),  # ... and the model uses it
            int(placed is not old),  # it is a new module
            int(isinstance(placed, nn.Linear)),  # a plain Linear: logits, no softmax
            int(weight is not None and weight.dtype == old.weight.dtype),  # the model's dtype
            int(any("." in key for key in model._modules)),  # a module registered under a dotted name
        ]),
        "logits_shape": torch.tensor(list(logits.shape)),
    }


def _replace_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"shape": torch.tensor([inputs["dim"], inputs["num_classes"]]),
            "facts": torch.tensor([1, 1, 1, 1, 1, 0]), "logits_shape": torch.tensor([6, inputs["num_classes"]])}


def _replace_mistakes() -> list[Mistake]:
    def variant(facts, classes_kept: bool, copy_first: int = 0):
        def produce(inputs: Inputs, outcome: Outcome) -> Tensors:
            k = inputs["classes"] if classes_kept else inputs["num_classes"]
            got = outcome.tensors["facts"].tolist()
            return {"shape": torch.tensor([inputs["dim"], k] if facts[3] else [-1, -1]),
                    "facts": torch.tensor(got[:copy_first] + facts[copy_first:]),
                    "logits_shape": torch.tensor([6, k])}
        return produce

    return [
        Mistake("the new head never put into the model (only returned)",
                "replace the module inside the model: setattr(parent, last_name, new_head), then return it.",
                variant([1, 0, 0, 1, 1, 0], classes_kept=True)),
        Mistake("setattr with a dotted name (the new head sits beside the model's layers, unused)",
                "setattr(model, 'heads.head', m) registers a module literally called 'heads.head'; split the "
                "name: parent = model.get_submodule('heads'), then setattr(parent, 'head', m).",
                variant([1, 0, 0, 1, 1, 1], classes_kept=True)),
        Mistake("the old head kept (the model still predicts the old classes)",
                "build a new nn.Linear(old.in_features, num_classes) and put it where the old head was.",
                variant([1, 1, 0, 1, 1, 0], classes_kept=True, copy_first=2)),
        Mistake("a softmax added to the new head (it must return logits)",
                "return a plain nn.Linear: the loss applies log-softmax itself.",
                variant([0, 1, 1, 0, 0, 0], classes_kept=False, copy_first=2)),
    ]


HARD_CODED = "in_features hard-coded (the head does not fit this backbone's width)"
WRONG_DTYPE = "the new head in float32 while the model is float64"


def _judge_replace(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    """A head of the wrong width or dtype makes the forward pass fail: name those mistakes."""
    message = outcome.error_message
    for clue, mistake, fix in (
            ("shapes cannot be multiplied", HARD_CODED, "read the width from the old head: old.in_features."),
            ("dtype", WRONG_DTYPE, "build it like the old head: "
                                   "nn.Linear(..., device=old.weight.device, dtype=old.weight.dtype).")):
        if outcome.raised and clue in message:
            return Verdict(False, check, f"the model cannot run with your new head ({message}).\n"
                                         f"this looks like a typical mistake: {mistake}.\nFix: {fix}",
                           mistake=mistake)
    return REPLACE_HEAD.verdict(Case(check.split(": ", 1)[-1], lambda: inputs), inputs, outcome)


REPLACE_HEAD = Exercise("replace_head", _run_replace, _replace_oracle, _replace_mistakes(), EXACT)
REPLACE_PUBLIC = [
    Case("a 24-wide model with 5 classes -> 3 classes", lambda: {"dim": 24, "classes": 5, "num_classes": 3},
         judge=_judge_replace),
    Case("torchvision's layout (name='heads.head'), float64", lambda: {"dim": 24, "classes": 5, "num_classes": 7,
                                                                     "nested": True, "float64": True},
         judge=_judge_replace),
]


def test_replace_head(replace_head) -> None:
    require(REPLACE_HEAD.verdicts(replace_head, REPLACE_PUBLIC), "replace_head")


# --------------------------------------------------------------------------------------------------
# Exercise 2: freeze_backbone(model, head)


def _run_freeze(fn, inputs: Inputs) -> Tensors:
    model = probe_net(inputs)
    fn(model, head_of(model))
    modules = [m for name, m in model.named_modules() if name]  # the model itself excluded
    x = torch.randn(8, 12, generator=torch.Generator().manual_seed(2), dtype=next(model.parameters()).dtype)
    running = model.backbone.bn.running_mean.clone()
    model(x)  # a training step's forward pass: a frozen BatchNorm keeps its statistics
    return {
        "trainable": torch.tensor([int(p.requires_grad) for p in model.parameters()]),
        "training": torch.tensor([int(m.training) for m in modules]),
        "bn_stats_moved": torch.tensor([int(not torch.equal(running, model.backbone.bn.running_mean))]),
    }


def _module_names(inputs: Inputs) -> list[str]:
    return [name for name, _ in probe_net(inputs).named_modules() if name]


def _freeze_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    model = probe_net(inputs)
    return {"trainable": torch.tensor([int(in_head(n)) for n, _ in model.named_parameters()]),
            "training": torch.tensor([int(n == "head" or in_head(n)) for n in _module_names(inputs)]),
            "bn_stats_moved": torch.tensor([0])}


def _freeze_mistakes() -> list[Mistake]:
    def variant(trainable=None, training=None, moved=None):
        """A wrong rule for some records; the other records are the student's own."""
        def produce(inputs: Inputs, outcome: Outcome) -> Tensors:
            params = [n for n, _ in probe_net(inputs).named_parameters()]
            modules = _module_names(inputs)
            got = outcome.tensors
            return {"trainable": torch.tensor([int(trainable(n)) for n in params]) if trainable else got["trainable"],
                    "training": torch.tensor([int(training(n)) for n in modules]) if training else got["training"],
                    "bn_stats_moved": torch.tensor([moved]) if moved is not None else got["bn_stats_moved"]}
        return produce

    return [
        Mistake("backbone still receiving gradients (nothing frozen)",
                "set p.requires_grad_(False) for every parameter that is not the head's.",
                variant(trainable=lambda n: True)),
        Mistake("the class token still trains (only the child modules were frozen)",
                "loop over model.parameters() (or named_parameters()), not over the children: parameters "
                "of the model itself, like the class token and the positions, must freeze too.",
                variant(trainable=lambda n: in_head(n) or "." not in n)),
        Mistake("the head frozen too (nothing left to train)",
                "keep requires_grad=True on the head's parameters.",
                variant(trainable=lambda n: False)),
        Mistake("frozen backbone left in train mode (dropout on, BatchNorm statistics still moving)",
                "call .eval() on every module outside the head, and keep the head in train mode.",
                variant(in_head, lambda n: True, 1)),
        Mistake("the head put in eval mode too (its dropout is off while it trains)",
                "after model.eval(), call head.train(): the head is the part that still trains.",
                variant(in_head, lambda n: False, 0)),
    ]


FREEZE = Exercise("freeze_backbone", _run_freeze, _freeze_oracle, _freeze_mistakes(), EXACT)
FREEZE_PUBLIC = [
    Case("a model with a BatchNorm, dropout and a class token", lambda: {"dim": 16, "classes": 4}),
    Case("a head with its own dropout", lambda: {"dim": 16, "classes": 4, "drop_head": True}),
]


def test_freeze_backbone(freeze_backbone) -> None:
    require(FREEZE.verdicts(freeze_backbone, FREEZE_PUBLIC), "freeze_backbone")


# --------------------------------------------------------------------------------------------------
# Exercise 3: transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay) -> AdamW


def frozen_net(inputs: Inputs) -> nn.Module:
    """The checker freezes the backbone itself (the rule of exercise 2), when the case asks for it."""
    model = probe_net(inputs)
    if inputs.get("frozen"):
        for name, p in model.named_parameters():
            p.requires_grad_(in_head(name))
    return model


def _run_optimizer(fn, inputs: Inputs) -> Tensors:
    model = frozen_net(inputs)
    optimizer = fn(model, head_of(model), inputs["head_lr"], inputs["backbone_lr"], inputs["weight_decay"])
    index = {id(p): i for i, p in enumerate(model.parameters())}
    count = len(index)
    lr = torch.full((count,), float("nan"), dtype=torch.float64)
    decay = torch.full((count,), float("nan"), dtype=torch.float64)
    seen = torch.zeros(count)
    for group in optimizer.param_groups:
        for p in group["params"]:
            if id(p) not in index:
                raise ValueError("the optimizer holds a tensor that is not a parameter of the model")
            i = index[id(p)]
            seen[i] += 1
            lr[i], decay[i] = float(group["lr"]), float(group.get("weight_decay", 0.0))
    return {"lr": lr, "weight_decay": decay, "seen": seen,
            "adamw": torch.tensor([int(isinstance(optimizer, torch.optim.AdamW))])}


def _optimizer_table(inputs: Inputs, head_lr: float, backbone_lr: float, weight_decay: float,
                     include_frozen: bool = False) -> Tensors:
    model = frozen_net(inputs)
    rows = [(in_head(n), p.requires_grad) for n, p in model.named_parameters()]
    nan = float("nan")
    kept = [head or trainable or include_frozen for head, trainable in rows]
    return {"lr": torch.tensor([(head_lr if head else backbone_lr) if k else nan for (head, _), k in zip(rows, kept)],
                               dtype=torch.float64),
            "weight_decay": torch.tensor([weight_decay if k else nan for k in kept], dtype=torch.float64),
            "seen": torch.tensor([float(k) for k in kept]), "adamw": torch.tensor([1])}


def _optimizer_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return _optimizer_table(inputs, inputs["head_lr"], inputs["backbone_lr"], inputs["weight_decay"])


def _optimizer_mistakes() -> list[Mistake]:
    def whole_at_head_lr(inputs: Inputs, _: Outcome) -> Tensors:
        return _optimizer_table(inputs, inputs["head_lr"], inputs["head_lr"], inputs["weight_decay"])

    def swapped(inputs: Inputs, _: Outcome) -> Tensors:
        return _optimizer_table(inputs, inputs["backbone_lr"], inputs["head_lr"], inputs["weight_decay"])

    def default_decay(inputs: Inputs, _: Outcome) -> Tensors:
        return _optimizer_table(inputs, inputs["head_lr"], inputs["backbone_lr"], 0.01)

    return [
        Mistake("the whole model at the head's learning rate",
                "two groups: {'params': head params, 'lr': head_lr} and {'params': backbone params, "
                "'lr': backbone_lr}. A pretrained backbone needs small steps.",
                whole_at_head_lr),
        Mistake("the two learning rates swapped",
                "the head (new, random) gets head_lr; the pretrained backbone gets the smaller backbone_lr.",
                swapped),
        Mistake("weight_decay not passed (AdamW's default 0.01 used)",
                "pass weight_decay=weight_decay to torch.optim.AdamW (or set it in each group).",
                default_decay),
    ]


FROZEN_IN_OPTIMIZER = "optimizer built before freezing (frozen parameters still updated by weight decay)"


def _judge_optimizer(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        if "more than one parameter group" in outcome.error_message:
            return Verdict(False, check, "a parameter is in both groups (PyTorch refuses that).\nFix: the head's "
                                         "parameters go only in the head group; leave them out of the backbone's.",
                           mistake="a parameter in two groups")
        return Verdict(False, check, describe_error(outcome))
    t = outcome.tensors
    model = frozen_net(inputs)
    names = [n for n, _ in model.named_parameters()]
    frozen_seen = [n for (n, p), s in zip(model.named_parameters(), t["seen"].tolist()) if s and not p.requires_grad]
    if frozen_seen:
        return Verdict(False, check, f"the optimizer holds frozen parameters ({', '.join(frozen_seen[:3])}, ...). "
                                     "AdamW's weight decay shrinks every parameter it holds, gradient or not, "
                                     "whenever its gradient is a tensor (zeros after zero_grad(set_to_none=False)), "
                                     f"so the 'frozen' backbone drifts.\nthis looks like a typical mistake: "
                                     f"{FROZEN_IN_OPTIMIZER}.\nFix: build the optimizer after freezing, from "
                                     "the parameters with p.requires_grad only.",
                       mistake=FROZEN_IN_OPTIMIZER)
    missing = [n for n, p, s in zip(names, model.parameters(), t["seen"].tolist()) if p.requires_grad and not s]
    if missing:
        return Verdict(False, check, f"these trainable parameters are in no group, so they never train: "
                                     f"{missing[:4]}", mistake="a trainable parameter left out")
    if not int(t["adamw"][0]):
        return Verdict(False, check, "return a torch.optim.AdamW (the notebook's optimizer for every run).")
    return OPTIMIZER.verdict(Case(check.split(": ", 1)[-1], lambda: inputs), inputs, outcome)


OPTIMIZER = Exercise("transfer_optimizer", _run_optimizer, _optimizer_oracle, _optimizer_mistakes(), EXACT)
OPTIMIZER_PUBLIC = [
    Case("full fine-tuning: head lr 1e-3, backbone lr 1e-4, weight decay 0.05",
         lambda: {"dim": 16, "classes": 3, "head_lr": 1e-3, "backbone_lr": 1e-4, "weight_decay": 0.05},
         judge=_judge_optimizer),
    Case("a frozen backbone (a linear probe)",
         lambda: {"dim": 16, "classes": 3, "head_lr": 2e-3, "backbone_lr": 2e-4, "weight_decay": 0.1,
                  "frozen": True},
         judge=_judge_optimizer),
]


def test_transfer_optimizer(transfer_optimizer) -> None:
    require(OPTIMIZER.verdicts(transfer_optimizer, OPTIMIZER_PUBLIC), "transfer_optimizer")


EXERCISES = [REPLACE_HEAD, FREEZE, OPTIMIZER]
STRUCTURAL_MISTAKES = [HARD_CODED, WRONG_DTYPE, FROZEN_IN_OPTIMIZER, "a parameter in two groups",
                       "a trainable parameter left out"]
