"""Instruments the training checks build inside the sandbox: small models, loaders from tensors, spies.

The training exercises of notebook 6 are judged by their **effects**. The checker makes the
initial weights (a state dict), the batches and the hyper-parameters outside; :class:`TrainingRun`
builds the model, the optimizer and the ``LambdaLR`` scheduler from them here, runs an epoch
function on them, and hands back what happened:

* ``state/<name>``: every parameter and buffer after the run, by name;
* ``lrs``: the learning rate each ``optimizer.step()`` actually used;
* ``reported``/``kinds``: what the function returned (values, and whether each is a Python float);
* ``modes_after``: the mode of every submodule afterwards (``named_modules`` order).

The instructor's reference loop runs through the same class outside, on the same inputs, so both
sides are built alike. Spies (keys ``spy/...``: the modes during each forward, gradients added to
stale ones, the gradient norm each step saw, when the scheduler stepped) only help to *name* a
mistake; no check passes on what they say.

Letters: B batch, C classes, D width; images are (B, 1, 8, 8), 3 classes. Nothing here knows a
right answer.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import torch
from torch import nn
from torch.utils.data import TensorDataset

Tensors = dict[str, torch.Tensor]
IMAGE, PATCH, CLASSES = 8, 4, 3
ROOT = "model"  # how messages call the root module (its named_modules name is "")

# --------------------------------------------------------------------------------------------------
# Models


class SmallNet(nn.Module):
    """(B, 1, 8, 8) -> (B, C): Linear, BatchNorm, GELU, Dropout, Linear. Its output depends on the
    mode of its submodules (batch or running statistics, dropout on or off)."""

    def __init__(self, dropout: float = 0.0, width: int = 16, classes: int = CLASSES) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Flatten(), nn.Linear(IMAGE * IMAGE, width), nn.BatchNorm1d(width), nn.GELU()
        )
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(width, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.drop(self.features(images)))  # (B, C)


class TinyViT(nn.Module):
    """(B, 1, 8, 8) -> (B, C): a ViT-shaped model (class token, positions, a pre-norm block, a head)."""

    def __init__(self, dim: int = 8, classes: int = CLASSES, dropout: float = 0.0) -> None:
        super().__init__()
        tokens = (IMAGE // PATCH) ** 2 + 1
        self.patch_embed = nn.Conv2d(1, dim, kernel_size=PATCH, stride=PATCH)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, dim))
        self.block = nn.TransformerEncoderLayer(dim, 2, 2 * dim, dropout, batch_first=True, norm_first=True)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        patches = self.patch_embed(images).flatten(2).transpose(1, 2)  # (B, N, D)
        tokens = torch.cat([self.cls_token.expand(len(images), -1, -1), patches], dim=1) + self.pos_embed
        return self.head(self.norm(self.block(tokens))[:, 0])  # (B, C)


class OtherNames(nn.Module):
    """Parameters in another order and nesting: a 1-D parameter that is not a bias (``scale``), a
    Linear without bias, the embeddings last. Used for parameter groups only (no forward)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 2, 2), nn.LayerNorm(4))
        self.pos_embed = nn.Parameter(torch.zeros(1, 9, 4))
        self.scale = nn.Parameter(torch.ones(4))
        self.blocks = nn.ModuleList([nn.Linear(4, 4, bias=False), nn.Linear(4, 4)])
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 4))


def torchvision_vit() -> nn.Module:
    """torchvision's VisionTransformer, tiny: the course model's names (class_token, encoder.pos_embedding,
    encoder.layers.*, heads.head). Used for parameter groups only (no forward)."""
    from torchvision.models import VisionTransformer

    return VisionTransformer(
        image_size=IMAGE,
        patch_size=PATCH,
        num_layers=1,
        num_heads=2,
        hidden_dim=8,
        mlp_dim=16,
        num_classes=CLASSES,
    )


MODELS: dict[str, Callable[[], nn.Module]] = {
    "small_net": SmallNet,
    "small_net_dropout": partial(SmallNet, dropout=0.3),
    "tiny_vit": TinyViT,
    "tiny_vit_dropout": partial(TinyViT, dropout=0.1),
    "other_names": OtherNames,
    "torchvision_vit": torchvision_vit,
}


def build(name: str, state: Mapping[str, torch.Tensor] | None = None) -> nn.Module:
    """A fresh instrument model by name, with ``state`` loaded when given."""
    if name not in MODELS:
        raise ValueError(f"unknown instrument model {name!r}")
    model = MODELS[name]()
    if state is not None:
        model.load_state_dict(dict(state))
    return model


def module_names(model: nn.Module) -> list[str]:
    return [n or ROOT for n, _ in model.named_modules()]


def modes(model: nn.Module) -> torch.Tensor:
    """1 where a submodule is in train mode, in ``named_modules`` order."""
    return torch.tensor([int(m.training) for _, m in model.named_modules()], dtype=torch.int64)


def state_of(model: nn.Module) -> Tensors:
    return {f"state/{k}": v.detach().clone() for k, v in model.state_dict().items()}


# --------------------------------------------------------------------------------------------------
# Loaders, progress bars, returned numbers


class Batches:
    """A loader made of given ``(images, labels)`` batches, handed out as copies, in order.

    With ``dataset=True`` it has ``.dataset`` and ``.batch_size`` like a ``DataLoader`` (what
    ``evaluate`` gets); without, it is a plain iterable with a length, like the progress bar over
    batches that ``fit`` hands to ``train_one_epoch``.
    """

    def __init__(self, batches: Iterable[Sequence[torch.Tensor]], *, dataset: bool) -> None:
        self._batches = [(images, labels) for images, labels in batches]
        self._has_dataset = dataset

    def __len__(self) -> int:
        return len(self._batches)

    def __iter__(self):
        for images, labels in self._batches:
            yield images.clone(), labels.clone()

    def __getattr__(self, name: str) -> Any:
        if name in ("dataset", "batch_size") and self.__dict__.get("_has_dataset"):
            if name == "batch_size":
                return len(self._batches[0][1])
            return TensorDataset(
                torch.cat([x for x, _ in self._batches]), torch.cat([y for _, y in self._batches])
            )
        if name in ("dataset", "batch_size", "sampler", "batch_sampler"):
            raise AttributeError(
                f"this loader has no .{name}: train_one_epoch gets any iterable of (images, labels) "
                "batches (fit passes a progress bar over them), so count the images as they come"
            )
        raise AttributeError(name)


class Progress:
    """A stand-in for a tqdm bar: records the keys of every ``set_postfix`` call; anything else is a no-op."""

    def __init__(self) -> None:
        self.postfix_keys: list[set[str]] = []

    def set_postfix(
        self, ordered_dict: Mapping[str, Any] | None = None, refresh: bool = True, **kwargs: Any
    ) -> None:
        self.postfix_keys.append(set(ordered_dict or {}) | set(kwargs))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: None


#: what a returned value is (``kinds``): a Python float, or why not
FLOAT, INT, TENSOR, OTHER_NUMBER, MISSING, NOT_A_DICT, NOT_A_NUMBER, NONE = range(8)
KIND_WORDS = {
    INT: "an int",
    TENSOR: "a Tensor",
    OTHER_NUMBER: "a NumPy or other number",
    MISSING: "missing",
    NOT_A_DICT: "not in a dict",
    NOT_A_NUMBER: "something other than a number",
    NONE: "None (a branch that ends without return)",
}


def number(value: Any) -> tuple[float, int]:
    """(value as a float, or NaN; its kind)."""
    if value is None:
        return math.nan, NONE
    if isinstance(value, bool):
        return float(value), NOT_A_NUMBER
    if isinstance(value, float):
        return float(value), FLOAT
    if isinstance(value, int):
        return float(value), INT
    if isinstance(value, torch.Tensor):
        return (float(value.detach().reshape(-1)[0]) if value.numel() == 1 else math.nan), TENSOR
    if isinstance(value, numbers.Real):
        return float(value), OTHER_NUMBER
    return math.nan, NOT_A_NUMBER


def report(stats: Any, keys: Sequence[str]) -> tuple[list[float], list[int]]:
    """The values of ``stats[key]`` and their kinds; a non-dict gives NaN and NOT_A_DICT."""
    if not isinstance(stats, Mapping):
        return [math.nan] * len(keys), [NOT_A_DICT] * len(keys)
    values, kinds = [], []
    for key in keys:
        value, kind = number(stats[key]) if key in stats else (math.nan, MISSING)
        values.append(value)
        kinds.append(kind)
    return values, kinds


# --------------------------------------------------------------------------------------------------
# Optimizers and schedules


def make_optimizer(model: nn.Module, spec: Mapping[str, Any]) -> torch.optim.Optimizer:
    """``{"kind": "sgd" | "adamw", "lr": ..., "momentum": ..., "weight_decay": ..., "eps": ...}``."""
    kind = spec["kind"]
    if kind == "sgd":
        return torch.optim.SGD(
            model.parameters(),
            lr=spec["lr"],
            momentum=spec.get("momentum", 0.0),
            weight_decay=spec.get("weight_decay", 0.0),
        )
    if kind == "adamw":
        return torch.optim.AdamW(
            model.parameters(),
            lr=spec["lr"],
            weight_decay=spec.get("weight_decay", 0.01),
            eps=spec.get("eps", 1e-8),
        )
    raise ValueError(f"unknown optimizer {kind!r}")


def table_schedule(
    optimizer: torch.optim.Optimizer, factors: Sequence[float]
) -> torch.optim.lr_scheduler.LambdaLR:
    """LambdaLR whose factor at step s is ``factors[s]`` (the last one from then on)."""
    table = [float(f) for f in factors]
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: table[min(step, len(table) - 1)])


def lambda_lr_rates(factor: Callable[[int], Any], base_lr: float, steps: int) -> list[float]:
    """The learning rate that each of ``steps`` SGD steps uses under ``LambdaLR(factor)``."""
    weight = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=base_lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    rates = []
    for _ in range(steps):
        rates.append(number(optimizer.param_groups[0]["lr"])[0])
        optimizer.step()
        scheduler.step()
    return rates


# --------------------------------------------------------------------------------------------------
# Spies


class Spies:
    """Hooks that watch a run: every forward of the model, every gradient added, every optimizer step."""

    def __init__(
        self,
        model: nn.Module,
        optimizer: torch.optim.Optimizer | None = None,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    ) -> None:
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.forward_modes: list[list[int]] = []
        self.grad_enabled: list[int] = []
        self.logits: list[torch.Tensor] = []
        self.batch_sizes: list[int] = []
        self.lrs: list[float] = []
        self.grad_norms: list[float] = []
        self.scheduler_at_step: list[int] = []
        self.accumulated: list[int] = []
        self._incoming: dict[str, torch.Tensor] = {}
        self._stale = False
        model.register_forward_pre_hook(self._before_forward)
        model.register_forward_hook(self._after_forward)
        for name, p in model.named_parameters():
            if p.requires_grad:
                p.register_hook(partial(self._incoming_grad, name))
                p.register_post_accumulate_grad_hook(partial(self._accumulated_grad, name))
        if optimizer is not None:
            optimizer.register_step_pre_hook(self._before_step)

    def _before_forward(self, module: nn.Module, args: Any) -> None:
        self.forward_modes.append(modes(module).tolist())
        self.grad_enabled.append(int(torch.is_grad_enabled()))

    def _after_forward(self, module: nn.Module, args: Any, output: Any) -> None:
        if isinstance(output, torch.Tensor) and output.ndim == 2:
            self.logits.append(output.detach().float().clone())
            self.batch_sizes.append(len(output))
        else:
            self.batch_sizes.append(-1)

    def _incoming_grad(self, name: str, grad: torch.Tensor) -> None:
        self._incoming[name] = grad.detach().clone()

    def _accumulated_grad(self, name: str, p: torch.Tensor) -> None:
        incoming = self._incoming.pop(name, None)
        if incoming is not None and p.grad is not None and not torch.equal(p.grad, incoming):
            self._stale = True  # this gradient was added to one left from before

    def _before_step(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        self.lrs.append(number(optimizer.param_groups[0]["lr"])[0])
        grads = [
            p.grad.detach().double().pow(2).sum()
            for g in optimizer.param_groups
            for p in g["params"]
            if p.grad is not None
        ]
        self.grad_norms.append(float(torch.stack(grads).sum().sqrt()) if grads else 0.0)
        self.scheduler_at_step.append(self.scheduler.last_epoch if self.scheduler is not None else -1)
        self.accumulated.append(int(self._stale))
        self._stale = False

    def tensors(self) -> Tensors:
        width = len(list(self.model.named_modules()))
        rows = self.logits if self.logits and len({t.shape[1] for t in self.logits}) == 1 else []
        return {
            "spy/modes": torch.tensor(self.forward_modes, dtype=torch.int64).reshape(-1, width),
            "spy/grad_enabled": torch.tensor(self.grad_enabled, dtype=torch.int64),
            "spy/logits": torch.cat(rows) if rows else torch.empty(0, CLASSES),
            "spy/batch_sizes": torch.tensor(self.batch_sizes, dtype=torch.int64),
            "spy/grad_norms": torch.tensor(self.grad_norms, dtype=torch.float64),
            "spy/scheduler_at_step": torch.tensor(self.scheduler_at_step, dtype=torch.int64),
            "spy/accumulated": torch.tensor(self.accumulated, dtype=torch.int64),
        }


# --------------------------------------------------------------------------------------------------
# Runs


EpochFunction = Callable[..., Any]


class TrainingRun:
    """What ``train_one_epoch`` works on, built from the inputs; :meth:`run` calls an epoch function.

    Inputs: ``model`` (a name of :data:`MODELS`), ``state``, ``start_mode`` ("train" | "eval"),
    ``optimizer`` (see :func:`make_optimizer`), ``lr_factors`` (the scheduler's factor per step),
    ``batches`` (a list of (images, labels)), ``label_smoothing``, ``max_grad_norm``, ``seed``;
    optional ``stale`` (gradients left in ``.grad`` by earlier code, by parameter name),
    ``progress`` (pass a progress bar), ``epochs`` and ``eval_between`` (the model put in eval mode
    between epochs, as a call of ``evaluate`` that forgets to restore it would leave it).
    """

    def __init__(self, inputs: Mapping[str, Any]) -> None:
        self.inputs = inputs
        self.model = build(inputs["model"], inputs["state"])
        self.model.train(inputs["start_mode"] == "train")
        self.optimizer = make_optimizer(self.model, inputs["optimizer"])
        self.scheduler = table_schedule(self.optimizer, inputs["lr_factors"])
        self.spies = Spies(self.model, self.optimizer, self.scheduler)
        self.progress = Progress() if inputs.get("progress") else None
        stale = inputs.get("stale") or {}
        for name, p in self.model.named_parameters():
            if name in stale:
                p.grad = stale[name].clone()

    def run(self, epoch: EpochFunction) -> Tensors:
        inputs = self.inputs
        values, kinds, forwards = [], [], []
        for index in range(int(inputs.get("epochs", 1))):
            if index and inputs.get("eval_between"):
                self.model.eval()
            options = {"label_smoothing": inputs["label_smoothing"], "max_grad_norm": inputs["max_grad_norm"]}
            if self.progress is not None:
                options["progress"] = self.progress
            torch.manual_seed(inputs["seed"] + index)
            before = len(self.spies.batch_sizes)
            stats = epoch(
                self.model,
                Batches(inputs["batches"], dataset=False),
                self.optimizer,
                self.scheduler,
                torch.device("cpu"),
                **options,
            )
            forwards.append(len(self.spies.batch_sizes) - before)
            got, kind = report(stats, ("loss", "accuracy"))
            values.append(got)
            kinds.append(kind)
        postfix = [
            [int(k in keys) for k in ("loss", "acc", "lr")]
            for keys in (self.progress.postfix_keys if self.progress is not None else [])
        ]
        return {
            **state_of(self.model),
            "lrs": torch.tensor(self.spies.lrs, dtype=torch.float64),
            "reported": torch.tensor(values, dtype=torch.float64),
            "kinds": torch.tensor(kinds, dtype=torch.int64),
            "modes_after": modes(self.model),
            **self.spies.tensors(),
            "spy/scheduler_steps": torch.tensor(self.scheduler.last_epoch),
            "spy/epoch_forwards": torch.tensor(forwards, dtype=torch.int64),
            "spy/postfix": torch.tensor(postfix, dtype=torch.int64).reshape(-1, 3),
        }


class EvaluationRun:
    """What ``evaluate`` works on: ``model``, ``state``, ``start_mode``, ``batches``, ``seed``."""

    def __init__(self, inputs: Mapping[str, Any]) -> None:
        self.inputs = inputs
        self.model = build(inputs["model"], inputs["state"])
        self.model.train(inputs["start_mode"] == "train")
        self.spies = Spies(self.model)

    def run(self, evaluate: Callable[..., Any]) -> Tensors:
        torch.manual_seed(self.inputs["seed"])
        stats = evaluate(self.model, Batches(self.inputs["batches"], dataset=True), torch.device("cpu"))
        values, kinds = report(stats, ("loss", "accuracy"))
        return {
            **state_of(self.model),
            "reported": torch.tensor([values], dtype=torch.float64),
            "kinds": torch.tensor([kinds], dtype=torch.int64),
            "modes_after": modes(self.model),
            "grads": torch.tensor(int(any(p.grad is not None for p in self.model.parameters()))),
            **self.spies.tensors(),
        }


# --------------------------------------------------------------------------------------------------
# Parameter groups, by what AdamW does with them


def group_effects(model: nn.Module, groups: Any) -> Tensors:
    """Which group holds each parameter, and the weight decay AdamW really applies to it.

    ``member/<name>``: how many groups hold the parameter; ``decay/<name>``: the decay one AdamW step
    applied (lr 1, zero gradients, so only the decay moves a weight); ``sizes``: parameters per
    group; ``foreign``: tensors in the groups that are not parameters of the model; ``adamw_ok``:
    whether ``torch.optim.AdamW`` accepted the groups.
    """
    if isinstance(groups, Mapping) or not isinstance(groups, Iterable):
        raise TypeError(f"parameter_groups should return a list of dicts, not a {type(groups).__name__}")
    groups = list(groups)
    names = {id(p): n for n, p in model.named_parameters()}
    member = dict.fromkeys(names.values(), 0)
    sizes, foreign, copies = [], 0, []
    for group in groups:
        if not isinstance(group, Mapping) or "params" not in group:
            raise TypeError(
                "each group should be a dict like {'params': [...], 'weight_decay': ...}, "
                f"not {type(group).__name__}{'' if not isinstance(group, Mapping) else ' without params'}"
            )
        params = group["params"]
        params = [params] if isinstance(params, torch.Tensor) else list(params)
        sizes.append(len(params))
        copies.append({**group, "params": params})  # a generator of parameters is read once
        for p in params:
            if id(p) in names:
                member[names[id(p)]] += 1
            else:
                foreign += 1
    decay = dict.fromkeys(member, math.nan)
    try:
        optimizer = torch.optim.AdamW(copies, lr=1.0)
    except Exception:  # noqa: BLE001 - AdamW refusing the groups is the finding
        adamw_ok = 0
    else:
        adamw_ok = 1
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        for p in model.parameters():
            p.grad = torch.zeros_like(p) if p.requires_grad else None
        optimizer.step()
        for n, p in model.named_parameters():
            decay[n] = float(((before[n] - p.detach()) / before[n]).mean())
    return {
        **{f"member/{n}": torch.tensor(c) for n, c in member.items()},
        **{f"decay/{n}": torch.tensor(d, dtype=torch.float64) for n, d in decay.items()},
        "sizes": torch.tensor(sizes, dtype=torch.int64),
        "foreign": torch.tensor(foreign),
        "adamw_ok": torch.tensor(adamw_ok),
    }
