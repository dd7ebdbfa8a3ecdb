"""Calls for notebook 7 (transfer learning), and the small models they hand to the student's functions.

The three exercises change a model in place, so every call builds a model of its own from a plain
description (an *instrument*: a backbone with a BatchNorm, dropout, a LayerNorm and a parameter that
belongs to the model itself, like a ViT's class token; a tiny ViT; or a tiny torchvision
``VisionTransformer``, with the course model's parameter names), hands it to the student's
function and reports what happened as plain tensors: the new head's weights and the model's logits,
the ``requires_grad`` flag and the mode of every parameter and module, which parameters a training
step moved, and the parameters after optimizer steps with given gradients. No expected values here:
the verdicts are computed outside, from these tensors.

A model description (``inputs["model"]``) is a dict: ``kind`` ("probe", "vit" or "torchvision"), ``dim``,
``classes``, ``layout`` (where the head sits, see :data:`LAYOUTS`), ``seed`` (every parameter is
drawn from it), ``dtype``, ``mode`` ("train" or "eval" before the call) and ``frozen`` ("none",
"backbone", "all", or "prefix:<name>." for the parameters under one module).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.vision_transformer import VisionTransformer

from vitlab.harness.wire import Inputs, Tensors

IN_FEATURES = 12  # the probe model's input width
IMAGE, PATCH = 8, 4  # the tiny ViTs' images and patches (1 channel; torchvision's ViT takes 3)
TYPE_NAME_BYTES = 60


# --------------------------------------------------------------------------------------------------
# Instruments


class Backbone(nn.Module):
    """(B, 12) -> (B, dim), with every kind of module whose mode or freezing matters."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.embed = nn.Linear(IN_FEATURES, dim)
        self.bn = nn.BatchNorm1d(dim)
        self.drop = nn.Dropout(0.5)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.drop(torch.relu(self.bn(self.embed(x)))))  # (B, dim)


class DropHead(nn.Module):
    """A head with its own dropout (as timm's ``head_drop``), so the head's mode matters too."""

    def __init__(self, dim: int, classes: int) -> None:
        super().__init__()
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(dim, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.drop(x))


#: layout -> (the model's attribute holding the head, the head module's name, the nn.Linear's name)
LAYOUTS: dict[str, tuple[str, str, str]] = {
    "head": ("head", "head", "head"),
    "heads.head": ("heads", "heads.head", "heads.head"),  # torchvision's ViT
    "drop_head": ("head", "head", "head.fc"),
    "classifier": ("classifier", "classifier", "classifier.1"),  # a Sequential(Dropout, Linear), as VGG's
}


def _make_head(layout: str, dim: int, classes: int) -> nn.Module:
    if layout == "head":
        return nn.Linear(dim, classes)
    if layout == "heads.head":
        return nn.Sequential(OrderedDict(head=nn.Linear(dim, classes)))
    if layout == "drop_head":
        return DropHead(dim, classes)
    if layout == "classifier":
        return nn.Sequential(nn.Dropout(0.25), nn.Linear(dim, classes))
    raise ValueError(f"unknown head layout {layout!r}")


class ProbeNet(nn.Module):
    """(B, 12) -> (B, classes): a backbone, a parameter of the model itself, a head (see LAYOUTS)."""

    def __init__(self, dim: int, classes: int, layout: str = "head") -> None:
        super().__init__()
        self.backbone = Backbone(dim)
        self.cls_token = nn.Parameter(torch.zeros(dim))
        self.top = LAYOUTS[layout][0]
        setattr(self, self.top, _make_head(layout, dim, classes))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone(x) + self.cls_token  # (B, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return getattr(self, self.top)(self.features(x))  # (B, classes)


class TinyViT(nn.Module):
    """(B, 1, 8, 8) -> (B, classes): patches, a class token, positions, one encoder layer with dropout."""

    def __init__(self, dim: int, classes: int) -> None:
        super().__init__()
        tokens = (IMAGE // PATCH) ** 2 + 1
        self.patch_embed = nn.Conv2d(1, dim, PATCH, PATCH)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, dim))
        self.blocks = nn.Sequential(
            nn.TransformerEncoderLayer(dim, 2, 2 * dim, dropout=0.1, batch_first=True, norm_first=True)
        )
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        patches = self.patch_embed(x).flatten(2).transpose(1, 2)  # (B, N, D)
        tokens = (
            torch.cat([self.cls_token.expand(len(x), -1, -1), patches], dim=1) + self.pos_embed
        )  # (B, N+1, D)
        return self.norm(self.blocks(tokens))[:, 0]  # (B, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))  # (B, classes)


class TorchvisionViT(VisionTransformer):
    """(B, 3, 8, 8) -> (B, classes): torchvision's ViT, tiny, with its names (``class_token``,
    ``encoder.pos_embedding``, ``heads.head``: the course model's) and dropout in its encoder."""

    def __init__(self, dim: int, classes: int) -> None:
        super().__init__(
            image_size=IMAGE,
            patch_size=PATCH,
            num_layers=1,
            num_heads=2,
            hidden_dim=dim,
            mlp_dim=2 * dim,
            dropout=0.1,
            num_classes=classes,
        )

    def features(self, x: torch.Tensor) -> torch.Tensor:
        patches = self._process_input(x)  # (B, N, D)
        tokens = torch.cat([self.class_token.expand(len(x), -1, -1), patches], dim=1)  # (B, 1 + N, D)
        return self.encoder(tokens)[:, 0]  # (B, D)


def under(name: str, prefix: str) -> bool:
    """``name`` is the module ``prefix`` or something inside it (``head``, ``head.weight``, not ``heads``)."""
    return name == prefix or name.startswith(prefix + ".")


def head_name(spec: Mapping[str, Any]) -> str:
    """The head module's name in the model (what the checks pass as ``head``)."""
    return LAYOUTS[spec.get("layout", "head")][1]


def linear_name(spec: Mapping[str, Any]) -> str:
    """The dotted name of the head's nn.Linear (what replace_head replaces)."""
    return LAYOUTS[spec.get("layout", "head")][2]


def is_frozen(name: str, spec: Mapping[str, Any]) -> bool:
    """Whether the parameter ``name`` starts frozen, by the description's ``frozen`` rule."""
    rule = spec.get("frozen", "none")
    if rule == "none":
        return False
    if rule == "all":
        return True
    if rule == "backbone":
        return not under(name, head_name(spec))
    if rule.startswith("prefix:"):
        return name.startswith(rule.removeprefix("prefix:"))
    raise ValueError(f"unknown freezing rule {rule!r}")


def instrument(spec: Mapping[str, Any]) -> nn.Module:
    """The model a description names, every parameter drawn from its seed (the same model every time)."""
    kind, dim, classes = spec.get("kind", "probe"), spec["dim"], spec["classes"]
    if kind == "probe":
        model: nn.Module = ProbeNet(dim, classes, spec.get("layout", "head"))
    elif kind == "vit":
        if spec.get("layout", "head") != "head":
            raise ValueError("the tiny ViT keeps its head at 'head'")
        model = TinyViT(dim, classes)
    elif kind == "torchvision":
        if spec.get("layout", "head") != "heads.head":
            raise ValueError("torchvision's ViT keeps its head at 'heads.head'")
        model = TorchvisionViT(dim, classes)
    else:
        raise ValueError(f"unknown instrument {kind!r}")
    g = torch.Generator().manual_seed(spec.get("seed", 0))
    with torch.no_grad():
        for p in model.parameters():  # no zero biases, no unit norm weights: every value tells
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    model.to(spec.get("dtype", torch.float32))
    for name, p in model.named_parameters():
        p.requires_grad_(not is_frozen(name, spec))
    model.train(spec.get("mode", "train") == "train")
    return model


def example_inputs(spec: Mapping[str, Any], batch: int, seed: int) -> torch.Tensor:
    """A batch of inputs for the model a description names."""
    g = torch.Generator().manual_seed(seed)
    kind = spec.get("kind", "probe")
    channels = 3 if kind == "torchvision" else 1
    shape = (batch, IN_FEATURES) if kind == "probe" else (batch, channels, IMAGE, IMAGE)
    return torch.randn(shape, generator=g).to(spec.get("dtype", torch.float32))


def parameter_names(spec: Mapping[str, Any]) -> list[str]:
    return [name for name, _ in instrument(spec).named_parameters()]


def module_names(spec: Mapping[str, Any]) -> list[str]:
    """Every module's name, the model itself first (as ``""``)."""
    return [name for name, _ in instrument(spec).named_modules()]


def buffer_names(spec: Mapping[str, Any]) -> list[str]:
    return [name for name, _ in instrument(spec).named_buffers()]


# --------------------------------------------------------------------------------------------------
# Small helpers


def flag(value: bool) -> torch.Tensor:
    return torch.tensor(int(bool(value)))


def text_bytes(text: str) -> torch.Tensor:
    """A short text as bytes (outputs are tensors only)."""
    return torch.tensor(list(text.encode("ascii", "replace")[:TYPE_NAME_BYTES]), dtype=torch.uint8)


def type_name(value: Any) -> torch.Tensor:
    return text_bytes(type(value).__name__)


def where(model: nn.Module, module: Any) -> str:
    """The name of ``module`` in ``model`` ("" when it is not in it)."""
    return next((n for n, m in model.named_modules() if m is module and n), "")


def find(model: nn.Module, name: str) -> nn.Module | None:
    try:
        return model.get_submodule(name)
    except AttributeError:
        return None


def has_dotted_child(model: nn.Module) -> bool:
    """A module registered under a name with a dot (``setattr(model, "heads.head", m)``)."""
    return any("." in key for module in model.modules() for key in module._modules)


def unchanged(model: nn.Module, before: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """One flag per name of ``before``: the model still has that parameter, with the same values."""
    now = dict(model.named_parameters())
    return torch.tensor(
        [
            int(n in now and now[n].shape == b.shape and torch.equal(now[n].detach(), b))
            for n, b in before.items()
        ]
    )


# --------------------------------------------------------------------------------------------------
# Exercise 1: replace_head(model, num_classes, name="head")


def replace_head(objects: dict, inputs: Inputs) -> Tensors:
    """The new head, the model's logits after the call, and the backbone's features from before it."""
    fn, spec, k, name = objects["replace_head"], inputs["model"], inputs["num_classes"], inputs["name"]
    model = instrument(spec).eval()
    x = inputs["x"]
    old = model.get_submodule(name)
    others = {n: p.detach().clone() for n, p in model.named_parameters() if not under(n, name)}
    out: Tensors = {"old_weight": old.weight.detach().clone(), "old_bias": old.bias.detach().clone()}
    with torch.no_grad():
        out["features"] = model.features(x)  # (B, dim)
    returned = fn(model, k) if inputs.get("default_name") else fn(model, k, name)
    placed = find(model, name)
    out |= {
        "found": flag(placed is not None),
        "placed_is_old": flag(placed is old),
        "placed_is_returned": flag(placed is not None and placed is returned),
        "returned_is_old": flag(returned is old),
        "returned_is_model": flag(returned is model),
        "returned_is_linear": flag(isinstance(returned, nn.Linear)),
        "placed_is_linear": flag(isinstance(placed, nn.Linear)),
        "dotted": flag(has_dotted_child(model)),
        "placed_type": type_name(placed),
        "returned_type": type_name(returned),
        "returned_at": text_bytes(where(model, returned)),
        "others_unchanged": unchanged(model, others),
    }
    fits = False
    if isinstance(placed, nn.Linear):
        out["weight"] = placed.weight.detach().clone()
        out["has_bias"] = flag(placed.bias is not None)
        if placed.bias is not None:
            out["bias"] = placed.bias.detach().clone()
        out["trainable"] = flag(all(p.requires_grad for p in placed.parameters()))
        fits = (
            placed.weight.shape[-1] == old.in_features
            and placed.weight.dtype == old.weight.dtype
            and placed.weight.device == old.weight.device
        )
    if placed is None:
        return out
    try:
        with torch.no_grad():
            out["logits"] = model(x)  # (B, classes)
    except Exception:
        if fits or not isinstance(placed, nn.Linear):
            raise  # the student's error: shown with its line
        out["forward_failed"] = flag(True)  # a head of the wrong width or dtype: the outputs above say why
    return out


def replace_head_on_meta(objects: dict, inputs: Inputs) -> Tensors:
    """replace_head on a model on PyTorch's meta device (a stand-in for a GPU): where the new head lives."""
    fn, spec, k, name = objects["replace_head"], inputs["model"], inputs["num_classes"], inputs["name"]
    model = instrument(spec).to("meta")
    old = model.get_submodule(name)
    fn(model, k, name)
    placed = find(model, name)
    weight = getattr(placed, "weight", None)
    is_tensor = isinstance(weight, torch.Tensor)
    return {
        "found": flag(placed is not None),
        "placed_is_old": flag(placed is old),
        "placed_is_linear": flag(isinstance(placed, nn.Linear)),
        "placed_type": type_name(placed),
        "weight_on_meta": flag(is_tensor and weight.device.type == "meta"),
        "weight_shape": torch.tensor(tuple(weight.shape) if is_tensor else (-1, -1)),
    }


# --------------------------------------------------------------------------------------------------
# Exercise 2: freeze_backbone(model, head)


def freeze_backbone(objects: dict, inputs: Inputs) -> Tensors:
    """Flags and modes after the call, then what a forward pass and a training step change."""
    fn, spec = objects["freeze_backbone"], inputs["model"]
    model = instrument(spec)
    source = instrument(spec) if inputs.get("foreign_head") else model  # a head from another model
    head = source.get_submodule(head_name(spec))
    fn(model, head)
    x, labels = inputs["x"], inputs["labels"]
    out: Tensors = {
        "requires_grad": torch.tensor([int(p.requires_grad) for _, p in model.named_parameters()]),
        "training": torch.tensor([int(m.training) for _, m in model.named_modules()]),
    }
    buffers = [b.detach().clone() for _, b in model.named_buffers()]
    with torch.no_grad():  # features twice: an active dropout outside the head makes them differ
        first, second = model.features(x), model.features(x)
    out["features_repeat"] = flag(torch.equal(first, second))
    out["buffers_moved"] = torch.tensor(
        [
            int(not torch.equal(b, now.detach()))
            for b, (_, now) in zip(buffers, model.named_buffers(), strict=False)
        ]
    )
    before = [p.detach().clone() for p in model.parameters()]
    loss = F.cross_entropy(model(x), labels)  # a training step: gradients by autograd, then plain SGD
    if loss.requires_grad:
        loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p -= 0.5 * p.grad
    out["moved"] = torch.tensor(
        [int(not torch.equal(b, p.detach())) for b, p in zip(before, model.parameters(), strict=False)]
    )
    return out


# --------------------------------------------------------------------------------------------------
# Exercise 3: transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay)


def transfer_optimizer(objects: dict, inputs: Inputs) -> Tensors:
    """The optimizer's groups, then the parameters after each step with the given gradients.

    Frozen parameters carry zero gradients throughout, as after earlier training and
    ``zero_grad(set_to_none=False)`` (an optimizer that holds them moves them by weight decay), or
    none at all when ``inputs["stale_grads"]`` is False (a fresh model).
    """
    fn, spec = objects["transfer_optimizer"], inputs["model"]
    model = instrument(spec)
    for p in model.parameters():
        if not p.requires_grad and inputs.get("stale_grads", True):
            p.grad = torch.zeros_like(p)
    head = model.get_submodule(head_name(spec))
    optimizer = fn(model, head, inputs["head_lr"], inputs["backbone_lr"], inputs["weight_decay"])
    out: Tensors = {
        "type": type_name(optimizer),
        "is_optimizer": flag(isinstance(optimizer, torch.optim.Optimizer)),
        "is_adamw": flag(isinstance(optimizer, torch.optim.AdamW)),
    }
    if not isinstance(optimizer, torch.optim.Optimizer):
        return out
    index = {id(p): i for i, p in enumerate(model.parameters())}
    held = [0] * len(index)
    foreign = empty = 0
    for group in optimizer.param_groups:
        empty += not group["params"]
        for p in group["params"]:
            if id(p) in index:
                held[index[id(p)]] += 1
            else:
                foreign += 1
    out |= {
        "held": torch.tensor(held),
        "foreign": torch.tensor(foreign),
        "empty_groups": torch.tensor(empty),
        "groups": torch.tensor(len(optimizer.param_groups)),
    }
    for step, grads in enumerate(inputs["grads"], 1):
        for name, p in model.named_parameters():
            if p.requires_grad:
                p.grad = grads[name].to(p.dtype).clone()
        optimizer.step()
        out |= {f"step{step}:{name}": p.detach().clone() for name, p in model.named_parameters()}
    return out
