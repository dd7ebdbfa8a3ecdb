"""Instructor-only for notebook 6: the notebook's answers as oracles, the catalogued mistakes as code,
and the hidden cases.

* the closed-form schedule and its typical wrong formulas;
* the weight-decay rule of the parameter groups;
* the label-smoothed cross-entropy from scratch and its typical wrong formulas;
* a reference training loop and a reference evaluation, written as small configurable loops whose
  other settings are the catalogued mistakes (zero_grad at the end, no clipping, the scheduler
  first...). They run through the same instruments as the student's code
  (:class:`vitlab.harness.instruments.TrainingRun`), on the same inputs, so the parameters after
  the student's loop are compared with the reference's, and a mismatch is named by the mistake loop
  whose parameters it matches.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.checks import training as public
from vitlab.checks.core import Case, Inputs, Mistake, Outcome, Tensors
from vitlab.harness import instruments

# --------------------------------------------------------------------------------------------------
# Exercise 1: the schedule


def warmup_cosine_oracle(step: int, warmup_steps: int, total_steps: int, min_factor: float = 0.0) -> float:
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if step >= total_steps:
        return min_factor
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))


def _cosine(progress: float) -> float:
    return 0.5 * (1 + math.cos(math.pi * progress))


def _warmup_then(after: Callable[[int, int, int, float], float]) -> Callable[[int, int, int, float], float]:
    return lambda s, W, T, m: (s + 1) / W if s < W else after(s, W, T, m)


def _decay(s: int, W: int, T: int) -> float:
    return min(1.0, (s - W) / max(1, T - W))


#: the catalogued schedule mistakes as formulas, by name in the public catalogue
SCHEDULE_MISTAKE_FORMULAS: dict[str, Callable[[int, int, int, float], float]] = {
    public.SCHEDULE_MISTAKES[0][0]: lambda s, W, T, m: 1.0 if s < W else warmup_cosine_oracle(s, W, T, m),
    public.SCHEDULE_MISTAKES[1][0]: lambda s, W, T, m: s / W if s < W else warmup_cosine_oracle(s, W, T, m),
    public.SCHEDULE_MISTAKES[2][0]: _warmup_then(lambda s, W, T, m: m + (1 - m) * (1 - _decay(s, W, T))),
    public.SCHEDULE_MISTAKES[3][0]: _warmup_then(lambda s, W, T, m: _cosine(_decay(s, W, T))),
    public.SCHEDULE_MISTAKES[4][0]: _warmup_then(lambda s, W, T, m: m + (1 - m) * _cosine(min(1.0, s / T))),
    public.SCHEDULE_MISTAKES[5][0]: _warmup_then(
        lambda s, W, T, m: m + (1 - m) * _cosine((s - W) / max(1, T - W))
    ),
    public.SCHEDULE_MISTAKES[6][0]: _warmup_then(lambda s, W, T, m: max(m, _cosine(_decay(s, W, T)))),
    public.SCHEDULE_MISTAKES[7][0]: _warmup_then(
        lambda s, W, T, m: m + (1 - m) * _cosine(min(1.0, (s - W) / T))
    ),
}


def schedule_table(formula: Callable[..., float], inputs: Inputs) -> list[float]:
    W, T, m = inputs["warmup_steps"], inputs["total_steps"], inputs["min_factor"]
    m = 0.0 if m is None else m
    return [formula(s, W, T, m) for s in inputs["steps"]]


def schedule_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    factors = torch.tensor(schedule_table(warmup_cosine_oracle, inputs), dtype=torch.float64)
    return {"factors": factors, "lrs": inputs["base_lr"] * factors}


def _schedule_mistake(name: str, fix: str) -> Mistake:
    formula = SCHEDULE_MISTAKE_FORMULAS[name]
    return Mistake(
        name,
        fix,
        lambda inputs, _: {"factors": torch.tensor(schedule_table(formula, inputs), dtype=torch.float64)},
    )


def _schedule_slip(name: str, fix: str, formula: Callable[[int, int, int, float], float]) -> Mistake:
    """A schedule mistake named on the hidden cases only (no public literal table for it)."""
    return Mistake(
        name,
        fix,
        lambda inputs, _: {"factors": torch.tensor(schedule_table(formula, inputs), dtype=torch.float64)},
        catalogued=False,
    )


def _other_default_floor(inputs: Inputs, outcome: Outcome) -> Tensors | None:
    """The right schedule with the floor the student's default gave (read at a step >= total_steps)."""
    if inputs["min_factor"] is not None:
        return None
    factors = outcome.tensors["factors"].tolist()
    floors = [f for s, f in zip(inputs["steps"], factors, strict=True) if s >= inputs["total_steps"]]
    if not floors or not math.isfinite(floors[0]) or floors[0] == 0.0:
        return None
    table = schedule_table(lambda s, W, T, m: warmup_cosine_oracle(s, W, T, floors[0]), inputs)
    return {"factors": torch.tensor(table, dtype=torch.float64)}


SCHEDULE_SLIPS = [
    _schedule_slip(
        "the cosine taken of degrees (180 * progress): math.cos takes radians",
        "the half cosine is cos(pi * progress) with math.pi: math.cos reads its argument in radians.",
        _warmup_then(
            lambda s, W, T, m: m if s >= T else m + (1 - m) * 0.5 * (1 + math.cos(180 * (s - W) / (T - W)))
        ),
    ),
    _schedule_slip(
        "the warmup branch taken for step <= warmup_steps: step W gets (W + 1) / W, above the peak",
        "the warmup covers steps 0 .. W - 1 (step < warmup_steps); step W starts the decay at exactly 1.",
        lambda s, W, T, m: (s + 1) / W if s <= W and W > 0 else warmup_cosine_oracle(s, W, T, m),
    ),
    Mistake(
        "min_factor's default is not 0.0",
        "give min_factor the default the text states: def warmup_cosine(step, warmup_steps, total_steps, "
        "min_factor=0.0).",
        _other_default_floor,
        catalogued=False,
    ),
]


def schedule_tables() -> dict[str, dict[str, list[float]]]:
    """The public literal tables: per public case 'right', and (first case) one row per mistake."""
    tables = {}
    for key, (steps, W, T, m) in public.SCHEDULE_CASES.items():
        inputs = public.schedule_inputs(steps, W, T, m, key)
        tables[key] = {"right": schedule_table(warmup_cosine_oracle, inputs)}
        if key == "W5-T20":
            tables[key].update(
                {name: schedule_table(f, inputs) for name, f in SCHEDULE_MISTAKE_FORMULAS.items()}
            )
    return tables


# --------------------------------------------------------------------------------------------------
# Exercise 2: parameter groups


def decays(model: nn.Module) -> list[str]:
    """The parameters that take weight decay: matrices and kernels, but not the two embeddings."""
    return [
        n
        for n, p in model.named_parameters()
        if p.ndim >= 2 and not any(k in n for k in public.EMBEDDING_NAMES)
    ]


def groups_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return public.groups_expected(inputs, decays(instruments.build(inputs["model"])))


# --------------------------------------------------------------------------------------------------
# Exercise 3: the reference training loop and its catalogued variants


@dataclass(frozen=True)
class Loop:
    """One epoch of training; the defaults are the notebook's answer, the other values its mistakes."""

    mode: str = "train"  # "train": model.train() | "eval": model.eval() | "flag": model.training = True
    zero_grad: str = "before"  # before the backward | "after" the step | "never"
    clip: bool = True
    scheduler: str = "after"  # after the optimizer step | "before" it | "epoch": once, after the loop
    softmax: bool = False
    smoothing: bool = True
    averages: str = "image"  # "image" | "batch" (loss and accuracy) | "batch loss" | "batch accuracy"
    reduction: str = "mean"  # the loss back-propagated: the batch's "mean" | its "sum"

    def __call__(
        self,
        model: nn.Module,
        loader: Any,
        optimizer: torch.optim.Optimizer,
        scheduler: Any,
        device: torch.device,
        label_smoothing: float = 0.1,
        max_grad_norm: float = 1.0,
        progress: Any = None,
    ) -> dict:
        if self.mode == "train":
            model.train()
        elif self.mode == "eval":
            model.eval()
        else:
            model.training = True
        losses, corrects, sizes = [], [], []
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            if self.zero_grad == "before":
                optimizer.zero_grad()
            logits = model(images)  # (B, C)
            scores = logits.softmax(-1) if self.softmax else logits
            loss = F.cross_entropy(
                scores,
                labels,
                label_smoothing=label_smoothing if self.smoothing else 0.0,
                reduction=self.reduction,
            )
            loss.backward()
            if self.clip:
                nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            if self.scheduler == "before":
                scheduler.step()
            optimizer.step()
            if self.scheduler == "after":
                scheduler.step()
            if self.zero_grad == "after":
                optimizer.zero_grad()
            losses.append(loss.item() / (len(labels) if self.reduction == "sum" else 1))
            corrects.append((logits.argmax(-1) == labels).sum().item())
            sizes.append(len(labels))
            if progress is not None:
                progress.set_postfix(
                    loss=losses[-1], acc=corrects[-1] / sizes[-1], lr=scheduler.get_last_lr()[0]
                )
        if self.scheduler == "epoch":
            scheduler.step()
        return _averages(losses, corrects, sizes, self.averages)


def _averages(losses: Sequence[float], corrects: Sequence[int], sizes: Sequence[int], how: str) -> dict:
    seen = sum(sizes)
    per_image = (sum(l * b for l, b in zip(losses, sizes, strict=True)) / seen, sum(corrects) / seen)
    per_batch = (
        sum(losses) / len(losses),
        sum(c / b for c, b in zip(corrects, sizes, strict=True)) / len(sizes),
    )
    loss = per_batch[0] if how in ("batch", "batch loss") else per_image[0]
    accuracy = per_batch[1] if how in ("batch", "batch accuracy") else per_image[1]
    return {"loss": loss, "accuracy": accuracy}


# Every student of a class gets the same inputs, so a loop's effects on them are computed once per
# grading process: the reference's for every notebook, a mistake loop's when a verdict needs it.
_RUNS: dict[tuple[str, str], Tensors] = {}
_RUNS_KEPT = 256


def _digest(value: Any, h: Any) -> None:
    if isinstance(value, torch.Tensor):
        t = value.detach().cpu().contiguous().reshape(-1)
        h.update(f"T{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    elif isinstance(value, Mapping):
        h.update(b"{")
        for key in sorted(value):
            h.update(repr(key).encode())
            _digest(value[key], h)
        h.update(b"}")
    elif isinstance(value, list | tuple):
        h.update(b"[")
        for item in value:
            _digest(item, h)
        h.update(b"]")
    else:
        h.update(repr(value).encode())


def run_once(what: str, inputs: Inputs, run: Callable[[], Tensors]) -> Tensors:
    """``run()``'s effects, computed once per ``what`` and inputs (by content) in this process."""
    h = hashlib.sha256()
    _digest(inputs, h)
    key = (what, h.hexdigest())
    if key not in _RUNS:
        if len(_RUNS) >= _RUNS_KEPT:
            _RUNS.pop(next(iter(_RUNS)))
        with warnings.catch_warnings():  # a mistake's own warnings (the scheduler stepped first)
            warnings.simplefilter("ignore")
            _RUNS[key] = public.effects(run())
    return _RUNS[key]


def train_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return run_once(repr(Loop()), inputs, lambda: instruments.TrainingRun(inputs).run(Loop()))


def _loop_mistake(name: str, loop: Loop, fix: str | None = None, catalogued: bool = True) -> Mistake:
    return Mistake(
        name,
        fix or public.FIXES[name],
        lambda inputs, _: run_once(repr(loop), inputs, lambda: instruments.TrainingRun(inputs).run(loop)),
        catalogued=catalogued,
    )


TRAIN_MISTAKES = [
    _loop_mistake(public.EVAL_MODE, Loop(mode="eval")),
    _loop_mistake(public.TRAINING_FLAG, Loop(mode="flag")),
    _loop_mistake(public.NO_ZERO_GRAD, Loop(zero_grad="never")),
    _loop_mistake(public.ZERO_GRAD_LATE, Loop(zero_grad="after")),
    _loop_mistake(public.SCHEDULER_FIRST, Loop(scheduler="before")),
    _loop_mistake(public.SCHEDULER_PER_EPOCH, Loop(scheduler="epoch")),
    _loop_mistake(public.NO_CLIPPING, Loop(clip=False)),
    _loop_mistake(public.SOFTMAX, Loop(softmax=True)),
    _loop_mistake(public.NO_SMOOTHING, Loop(smoothing=False)),
    _loop_mistake(public.BATCH_MEANS, Loop(averages="batch")),
    _loop_mistake(public.BATCH_MEANS, Loop(averages="batch accuracy")),
    _loop_mistake(public.BATCH_MEANS, Loop(averages="batch loss")),
    _loop_mistake(  # hidden only: the public cases' literal tables cannot tell it from other weight changes
        "the loss summed over the batch (reduction='sum') before backward(): gradients B times too large",
        Loop(reduction="sum"),
        "back-propagate the batch's mean loss (F.cross_entropy's default reduction='mean'); add "
        "loss.item() * len(labels) to the running total for the reported loss.",
        catalogued=False,
    ),
]


def train_tables() -> dict[str, dict[str, Any]]:
    """The public literal fingerprints of train_one_epoch: per public case, a number per state tensor
    and the reported (loss, accuracy) per epoch of the reference loop."""
    tables = {}
    for key, spec in public.TRAIN_CASES.items():
        run = instruments.TrainingRun(public.train_inputs(key=key, **spec)).run(Loop())
        tables[key] = {
            "state": {
                k.split("/", 1)[1]: public.fingerprint(v) for k, v in run.items() if k.startswith("state/")
            },
            "reported": run["reported"].tolist(),
        }
    return tables


# --------------------------------------------------------------------------------------------------
# Exercise 4: the reference evaluation and its catalogued variants


@dataclass(frozen=True)
class Evaluation:
    """Evaluation over a loader; the defaults are the notebook's answer, the other values its mistakes."""

    mode: str = "eval"  # model.eval() | "none": left as it was | "flag": model.training = False
    restore: str = "call"  # model.train(was_training) | "none" | "flag": model.training = was_training
    smoothing: float = 0.0
    softmax: bool = False
    averages: str = "image"  # "image" | "batch"

    def __call__(self, model: nn.Module, loader: Any, device: torch.device) -> dict:
        was_training = model.training
        if self.mode == "eval":
            model.eval()
        elif self.mode == "flag":
            model.training = False
        losses, corrects, sizes = [], [], []
        with torch.no_grad():
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                logits = model(images)  # (B, C)
                scores = logits.softmax(-1) if self.softmax else logits
                losses.append(F.cross_entropy(scores, labels, label_smoothing=self.smoothing).item())
                corrects.append((logits.argmax(-1) == labels).sum().item())
                sizes.append(len(labels))
        if self.restore == "call":
            model.train(was_training)
        elif self.restore == "flag":
            model.training = was_training
        return _averages(losses, corrects, sizes, self.averages)


def evaluate_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    reference = Evaluation()
    return run_once(repr(reference), inputs, lambda: instruments.EvaluationRun(inputs).run(reference))


def _evaluation_mistake(name: str, evaluation: Evaluation) -> Mistake:
    return Mistake(
        name,
        public.FIXES[name],
        lambda inputs, _: run_once(
            repr(evaluation), inputs, lambda: instruments.EvaluationRun(inputs).run(evaluation)
        ),
    )


EVALUATE_MISTAKES = [
    _evaluation_mistake(public.EVAL_TRAIN_MODE, Evaluation(mode="none")),
    _evaluation_mistake(public.EVAL_FLAG, Evaluation(mode="flag")),
    _evaluation_mistake(public.NOT_RESTORED, Evaluation(restore="none")),
    _evaluation_mistake(public.NOT_RESTORED, Evaluation(restore="flag")),
    _evaluation_mistake(public.BATCH_MEANS, Evaluation(averages="batch")),
    _evaluation_mistake(public.EVAL_SMOOTHING, Evaluation(smoothing=0.1)),
    _evaluation_mistake(public.SOFTMAX, Evaluation(softmax=True)),
]


def evaluate_tables() -> dict[str, tuple[float, float]]:
    """The public literal (loss, accuracy) of evaluate, per public case, from the reference."""
    return {
        key: tuple(
            instruments.EvaluationRun(public.evaluate_inputs(key=key, **spec))
            .run(Evaluation())["reported"][0]
            .tolist()
        )
        for key, spec in public.EVALUATE_CASES.items()
    }


# --------------------------------------------------------------------------------------------------
# Exercise 5: the label-smoothed cross-entropy (float64 formulas: the answer and its mistakes)


def smoothed_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    smoothing: float,
    *,
    off: Callable[[float, int], float] = lambda s, K: s / K,
    true: Callable[[float, int], float] = lambda s, K: 1 - s + s / K,
    log_probs: Callable[[torch.Tensor], torch.Tensor] = lambda x: x.log_softmax(-1),
    reduce: Callable[[torch.Tensor], torch.Tensor] = lambda per_class: per_class.sum(-1).mean(),
    sign: float = -1.0,
) -> torch.Tensor:
    """mean_b -sum_k q_bk log p_bk with q = ``off`` everywhere and ``true`` on the target; the
    keywords change one thing each (the catalogued mistakes)."""
    K = logits.shape[-1]
    one_hot = F.one_hot(targets, K).to(logits.dtype)  # (B, K)
    q = off(smoothing, K) * (1 - one_hot) + true(smoothing, K) * one_hot  # (B, K)
    return sign * reduce(q * log_probs(logits))  # ()


def smoothed_answer(inputs: Inputs, _: Outcome | None = None) -> Tensors:
    """The answer from scratch, float64, with its gradient (the grader's oracle)."""
    return _smoothed_outputs(lambda x, y, s: smoothed_loss(x, y, s), inputs)


def _smoothed_outputs(formula: Callable[..., torch.Tensor | None], inputs: Inputs) -> Tensors | None:
    dtype = inputs["logits"].dtype
    logits = inputs["logits"].detach().double().clone().requires_grad_(True)  # (B, K)
    loss = formula(logits, inputs["targets"], inputs["smoothing"])
    if loss is None:
        return None
    (gradient,) = torch.autograd.grad(loss, [logits], allow_unused=True)
    gradient = torch.zeros_like(logits) if gradient is None else gradient
    return {"loss": loss.detach().to(dtype), "gradient": gradient.to(dtype)}


def _truncated(logits: torch.Tensor, targets: torch.Tensor, s: float) -> torch.Tensor | None:
    """The target written into F.one_hot's int64 tensor: every smoothed value truncated to 0."""
    if s == 0:
        return None  # the one-hot itself, right
    return (logits * 0).sum()


SMOOTHED_MISTAKE_FORMULAS: dict[str, Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor | None]] = {
    public.K_MINUS_ONE: lambda x, y, s: (
        smoothed_loss(x, y, s, off=lambda s, K: s / (K - 1), true=lambda s, K: 1 - s)
        if x.shape[-1] > 1
        else None
    ),
    public.NOT_SUBTRACTED: lambda x, y, s: smoothed_loss(x, y, s, true=lambda s, K: 1 + s / K),
    public.SOFTMAX_NOT_LOG: lambda x, y, s: smoothed_loss(x, y, s, log_probs=lambda z: z.softmax(-1)),
    public.SUM_OVER_BATCH: lambda x, y, s: smoothed_loss(x, y, s, reduce=lambda t: t.sum()),
    public.MEAN_OVER_CLASSES: lambda x, y, s: smoothed_loss(x, y, s, reduce=lambda t: t.mean()),
    public.LOG_SOFTMAX_AXIS: lambda x, y, s: smoothed_loss(x, y, s, log_probs=lambda z: z.log_softmax(0)),
    public.INT_TARGETS: _truncated,
    public.SIGN: lambda x, y, s: smoothed_loss(x, y, s, sign=1.0),
    public.FIXED_SMOOTHING: lambda x, y, s: None if s == 0.1 else smoothed_loss(x, y, 0.1),
    public.NO_SMOOTHING_AT_ALL: lambda x, y, s: None if s == 0 else smoothed_loss(x, y, 0.0),
    public.SMOOTHING_PER_CLASS: lambda x, y, s: smoothed_loss(
        x, y, s, off=lambda s, K: s, true=lambda s, K: 1 - s + s
    ),
}


def _smoothed_mistake(name: str) -> Mistake:
    formula = SMOOTHED_MISTAKE_FORMULAS[name]
    return Mistake(name, public.SMOOTHED_FIXES[name], lambda inputs, _: _smoothed_outputs(formula, inputs))


def smoothed_tables() -> dict[str, dict[str, float]]:
    """What public.SMOOTHED_MISTAKES must hold: each mistake's loss on each public case where it differs
    from the right loss."""
    tables: dict[str, dict[str, float]] = {}
    for name, formula in SMOOTHED_MISTAKE_FORMULAS.items():
        row = {}
        for key, (B, K, s, seed, scale) in public.SMOOTHED_CASES.items():
            inputs = public.smoothed_inputs(B, K, s, seed, scale, key)
            made = _smoothed_outputs(formula, inputs)
            if made is None:
                continue
            value, right = float(made["loss"]), float(smoothed_answer(inputs)["loss"])
            if not math.isclose(value, right, rel_tol=1e-6, abs_tol=1e-9):
                row[key] = value
        tables[name] = row
    return tables


def _smoothed(name: str, B: int, K: int, s: float, seed: int, scale: float = 2.0) -> Case:
    return Case(name, lambda: public.smoothed_inputs(B, K, s, seed, scale))


# --------------------------------------------------------------------------------------------------
# Hidden cases


def _schedule(name: str, steps: Sequence[int], W: int, T: int, m: float | None) -> Case:
    return Case(
        name,
        lambda: public.schedule_inputs(steps, W, T, m),
        explain_error=public.explain_schedule_error(W, T),
    )


def _groups(name: str, model: str, frozen: Sequence[str], weight_decay: float, seed: int) -> Case:
    return Case(
        name,
        lambda: public.groups_inputs(model, frozen, weight_decay, seed),
        explain_error=public.explain_groups_error,
    )


def _train(name: str, **spec: Any) -> Case:
    return Case(name, lambda: public.train_inputs(key=None, **spec), explain_error=public.explain_train_error)


def _evaluate(name: str, **spec: Any) -> Case:
    return Case(name, lambda: public.evaluate_inputs(key=None, **spec))


VIT_MATRICES = (
    "patch_embed.weight",
    "block.self_attn.in_proj_weight",
    "block.self_attn.out_proj.weight",
    "block.linear1.weight",
    "block.linear2.weight",
    "head.weight",
)
VIT_VECTORS = (
    "patch_embed.bias",
    "cls_token",
    "pos_embed",
    "block.self_attn.in_proj_bias",
    "block.self_attn.out_proj.bias",
    "block.linear1.bias",
    "block.linear2.bias",
    "block.norm1.weight",
    "block.norm1.bias",
    "block.norm2.weight",
    "block.norm2.bias",
    "norm.weight",
    "norm.bias",
    "head.bias",
)

#: AdamW divides each gradient by its own size: one that is 0 in exact arithmetic (a bias before a
#: BatchNorm, the keys' bias in attention) is rounding noise, whose sign a thread count can flip.
#: A larger eps keeps such noise from moving a weight, so the grader's reference and the sandbox agree.
ADAMW_EPS = 1e-3

HIDDEN = {
    "test_warmup_cosine": [
        _schedule("warmup 1 step, 7 in all", range(10), 1, 7, 0.0),
        _schedule(
            "warmup 100, 1000 in all, min 0.01",
            [0, 49, 99, 100, 101, 300, 550, 999, 1000, 1500],
            100,
            1000,
            0.01,
        ),
        _schedule("min_factor 0.5", range(0, 40, 3), 4, 30, 0.5),
        _schedule("total_steps == warmup_steps == 3, min 0.05", range(6), 3, 3, 0.05),
        _schedule("the default floor, warmup 10, 50 in all", [0, 9, 10, 30, 49, 50, 80], 10, 50, None),
    ],
    "test_parameter_groups": [
        _groups(
            "another model (a 1-D parameter that is not a bias, a Linear without bias), weight decay 0.3",
            "other_names",
            (),
            0.3,
            11,
        ),
        _groups("the tiny ViT, weight decay 1e-4", "tiny_vit", (), 1e-4, 12),
        _groups(
            "a tiny torchvision ViT with its patch embedding and head frozen, weight decay 0.2",
            "torchvision_vit",
            ("conv_proj.weight", "conv_proj.bias", "heads.head.weight", "heads.head.bias"),
            0.2,
            16,
        ),
        _groups(
            "the tiny ViT with its patch embedding and block frozen",
            "tiny_vit",
            tuple(n for n in (*VIT_MATRICES, *VIT_VECTORS) if n.startswith(("patch_embed", "block"))),
            0.1,
            13,
        ),
        _groups(
            "the tiny ViT with every vector and embedding frozen (the no-decay group would be empty)",
            "tiny_vit",
            VIT_VECTORS,
            0.05,
            14,
        ),
    ],
    "test_smoothed_cross_entropy": [
        _smoothed("one image, K=2 classes, smoothing 0.1", 1, 2, 0.1, 50),
        _smoothed("a batch of 32, K=100 classes, smoothing 0.1", 32, 100, 0.1, 51),
        _smoothed("K=2, smoothing 1 (the uniform target)", 6, 2, 1.0, 52),
        _smoothed("B=7, K=6, smoothing 1 (the uniform target)", 7, 6, 1.0, 53),
        _smoothed("logits of size 10000, B=3, K=7, smoothing 0.1", 3, 7, 0.1, 54, 1e4),
        _smoothed("smoothing 0 (plain cross-entropy), B=8, K=6", 8, 6, 0.0, 55),
        _smoothed("B=9, K=3, smoothing 0.5, logits of size 5", 9, 3, 0.5, 56, 5.0),
        _smoothed("B=5, K=8, smoothing 0.05, tiny logits", 5, 8, 0.05, 57, 1e-3),
    ],
    "test_train_one_epoch": [
        _train(
            "AdamW on a tiny ViT with dropout, batches of 6, 6, 6 and 4, leftover gradients",
            model="tiny_vit_dropout",
            seed=21,
            sizes=[6, 6, 6, 4],
            optimizer={"kind": "adamw", "lr": 1e-2, "weight_decay": 0.05, "eps": ADAMW_EPS},
            factors=[0.3, 1.0, 0.6, 0.2, 0.1],
            label_smoothing=0.2,
            max_grad_norm=0.3,
            stale=True,
            start_mode="train",
            progress=False,
        ),
        _train(
            "SGD with momentum, dropout, six batches of 5 and one of 2, max_grad_norm 0.01",
            model="small_net_dropout",
            seed=22,
            sizes=[5] * 6 + [2],
            optimizer={"kind": "sgd", "lr": 0.5, "momentum": 0.5},
            factors=[1.0, 0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6],
            label_smoothing=0.3,
            max_grad_norm=0.01,
            stale=True,
            start_mode="eval",
            progress=True,
        ),
        _train(
            "plain SGD, batches of 8 and 3, no smoothing, a large max_grad_norm",
            model="small_net",
            seed=23,
            sizes=[8, 3],
            optimizer={"kind": "sgd", "lr": 0.2},
            factors=[0.5, 1.0, 0.25],
            label_smoothing=0.0,
            max_grad_norm=1e3,
            stale=False,
            start_mode="train",
            progress=False,
        ),
        _train(
            "three epochs of AdamW with dropout, eval mode between them, a progress bar",
            model="small_net_dropout",
            seed=24,
            sizes=[7, 7, 4],
            optimizer={"kind": "adamw", "lr": 5e-3, "weight_decay": 0.1, "eps": ADAMW_EPS},
            factors=[0.1, 0.4, 0.7, 1.0, 0.8, 0.6, 0.4, 0.2, 0.1, 0.05],
            label_smoothing=0.1,
            max_grad_norm=1.0,
            stale=True,
            start_mode="eval",
            progress=True,
            epochs=3,
            eval_between=True,
        ),
    ],
    "test_evaluate": [
        _evaluate(
            "five batches of 7 then one of 2, dropout, train mode before",
            model="small_net_dropout",
            seed=31,
            sizes=[7] * 5 + [2],
            start_mode="train",
        ),
        _evaluate(
            "one batch of 9, eval mode before", model="small_net", seed=32, sizes=[9], start_mode="eval"
        ),
        _evaluate(
            "a tiny ViT with dropout, batches of 10 and 3, train mode before",
            model="tiny_vit_dropout",
            seed=33,
            sizes=[10, 3],
            start_mode="train",
        ),
    ],
}

ORACLES = {
    "test_warmup_cosine": schedule_oracle,
    "test_parameter_groups": groups_oracle,
    "test_smoothed_cross_entropy": smoothed_answer,
    "test_train_one_epoch": train_oracle,
    "test_evaluate": evaluate_oracle,
}

MISTAKES = {
    "test_warmup_cosine": [
        *(_schedule_mistake(name, fix) for name, fix, _ in public.SCHEDULE_MISTAKES),
        *SCHEDULE_SLIPS,
    ],
    "test_smoothed_cross_entropy": [_smoothed_mistake(name) for name in SMOOTHED_MISTAKE_FORMULAS],
    "test_train_one_epoch": TRAIN_MISTAKES,
    "test_evaluate": EVALUATE_MISTAKES,
}
