"""Checks for notebook 7 (transfer learning): a new head, a frozen backbone, two learning rates.

The three exercises change a model in place, so they are judged by their effects on small models
the harness builds (:mod:`vitlab.harness.calls.transfer`): the model's logits after the new head is
in place, the flag and the mode of every parameter and module after freezing and what a training
step then moves, and the parameters after two optimizer steps with given gradients. Everything is
reported by parameter and module names. The oracles are the rules the notebook states (which names
are under the head; weight decay on matrices and kernels only, notebook 6's rule: see
:func:`decayed`) and ``torch.optim.AdamW`` itself, run on each parameter with its own rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from vitlab.checks import messages
from vitlab.checks.core import (
    FLOAT32,
    FLOAT64,
    Case,
    Exercise,
    Inputs,
    Outcome,
    Tolerance,
    Verdict,
    differences,
    require_tensors,
    seeded,
)
from vitlab.harness.calls import transfer as calls


@dataclass(frozen=True)
class Known:
    """A catalogued mistake that a judge recognises from the effects (not from one output)."""

    name: str
    fix: str

    def verdict(self, check: str, detail: str = "") -> Verdict:
        text = messages.mistake(self.name, self.fix) + (f"\n{detail}" if detail else "")
        return Verdict(False, check, text, mistake=self.name)


def fail(check: str, text: str) -> Verdict:
    return Verdict(False, check, text)


def flag(outcome: Outcome, key: str) -> bool:
    return bool(int(outcome.tensors[key].reshape(-1)[0]))


def text_of(value: torch.Tensor | None, empty: str = "?") -> str:
    """A short text the harness sent as bytes (a type name, a module name): printable ASCII only."""
    if value is None:
        return empty
    raw = bytes(int(v) % 256 for v in value.reshape(-1).tolist()[: calls.TYPE_NAME_BYTES])
    return "".join(c for c in raw.decode("ascii", "replace") if c.isprintable()) or empty


def listing(names: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" (and {len(names) - limit} more)" if len(names) > limit else "")


def tolerance(dtype: torch.dtype) -> Tolerance:
    return FLOAT64 if dtype == torch.float64 else FLOAT32


def model_spec(
    kind: str = "probe",
    dim: int = 16,
    classes: int = 5,
    layout: str = "head",
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
    mode: str = "train",
    frozen: str = "none",
) -> dict:
    return {
        "kind": kind,
        "dim": dim,
        "classes": classes,
        "layout": layout,
        "seed": seed,
        "dtype": dtype,
        "mode": mode,
        "frozen": frozen,
    }


def changed_structure(outcome: Outcome, counts: dict[str, tuple[int, str]]) -> str | None:
    """A message when an output does not hold one entry per parameter/module/buffer (the student's
    function changed the model), else None. ``counts``: output key -> (entries due, what they are)."""
    for key, (count, what) in counts.items():
        got = outcome.tensors[key].numel()
        if got != count:
            return (
                f"the model has {got} {what} after your call instead of {count}: "
                "your function must not add or remove modules or parameters"
            )
    return None


TENSOR_IN = Known(
    "parameters compared with `in` (it compares tensors by value, not by identity)",
    "compare identities: keep = {id(p) for p in head.parameters()}, then id(p) in keep "
    "(or any(p is q for q in head.parameters())).",
)
IN_TWO_GROUPS = Known(
    "a parameter in two groups",
    "the head's parameters go only in the head group; leave them out of the backbone's.",
)
NO_VALUE_ERROR = Known(
    "a head that is not part of the model accepted silently (no ValueError)",
    "check first: if not any(m is head for m in model.modules()): raise ValueError(...). Otherwise "
    "everything is frozen and nothing trains.",
)
#: errors of the student's code that PyTorch raises for a catalogued mistake: (type, words, mistake)
RAISED = (
    ("RuntimeError", "Boolean value of Tensor with more than one value is ambiguous", TENSOR_IN),
    ("ValueError", "more than one parameter group", IN_TWO_GROUPS),
)


@dataclass(frozen=True)
class TransferExercise(Exercise):
    """An exercise of this notebook: errors PyTorch raises for a catalogued mistake get its name, and a
    missing ValueError for a head from another model is named too."""

    def verdict(self, case: Case, inputs: Inputs, outcome: Outcome, **extra) -> Verdict:
        check = self.check_name(case)
        for error_type, words, known in RAISED:
            if outcome.error_type == error_type and words in outcome.error_message:
                where = f" at {outcome.error_line}" if outcome.error_line else ""
                return known.verdict(
                    check, f"(your code raised {error_type}: {outcome.error_message}{where})"
                )
        if case.expect_error is ValueError and not outcome.raised:
            return NO_VALUE_ERROR.verdict(
                check, "(these inputs are invalid: your code returned a result instead)"
            )
        return super().verdict(case, inputs, outcome, **extra)


# --------------------------------------------------------------------------------------------------
# Exercise 1: replace_head(model, num_classes, name="head") -> nn.Linear

DOTTED = Known(
    "setattr with a dotted name (the new head sits beside the model's layers, unused)",
    "setattr(model, 'heads.head', m) registers a module literally called 'heads.head'; split the "
    "name: parent = model.get_submodule('heads'), then setattr(parent, 'head', m).",
)
NOT_ATTACHED = Known(
    "the new head never put into the model (only returned)",
    "replace the module inside the model: setattr(parent, last_name, new_head), then return it.",
)
OLD_KEPT = Known(
    "the old head kept (the model still predicts the old classes)",
    "build a new nn.Linear(old.in_features, num_classes) and put it where the old head was.",
)
SOFTMAX = Known(
    "a softmax or log-softmax added to the new head (it must return logits)",
    "return a plain nn.Linear: the loss applies log-softmax itself.",
)
HARD_CODED = Known(
    "in_features hard-coded (the head does not fit this backbone's width)",
    "read the width from the old head: old.in_features.",
)
WRONG_DTYPE = Known(
    "the new head's dtype is not the model's (float32 and float64 mixed)",
    "build it like the old head: nn.Linear(..., device=old.weight.device, dtype=old.weight.dtype).",
)
WRONG_DEVICE = Known(
    "the new head left on the default device (the CPU) while the model is elsewhere",
    "build it where the old head is: nn.Linear(..., device=old.weight.device, "
    "dtype=old.weight.dtype). On a GPU, a head left on the CPU makes the forward pass fail.",
)
NOT_RANDOM = Known(
    "the new head is not randomly initialised (every weight has the same value)",
    "keep nn.Linear's own random initialisation, as the exercise asks (it is what torchvision's "
    "and timm's classifier resets do): fill nothing with one value.",
)
HEAD_ELSEWHERE = Known(
    "the new head put under another name than the one given (the model still uses its old head)",
    "replace the module at `name` itself: parent = model.get_submodule(the part before the last dot), "
    "then setattr(parent, the last part, new_head).",
)
OUT_FEATURES = Known(
    "in_features taken from the old head's out_features",
    "the new head reads the backbone's features: its in_features is old.in_features.",
)
RETURNS_MODEL = Known(
    "the model returned instead of the new head",
    "return the new nn.Linear (the notebook calls replace_head for the head it returns).",
)
COPIED = Known(
    "the new head starts from the old head's weights (copied, not randomly initialised)",
    "the old head's rows belong to the old classes: start the new head from nn.Linear's own random "
    "initialisation and copy nothing.",
)


OLD_OUTPUTS = Known(
    "the new head keeps the old head's number of outputs (its weight has the old head's shape)",
    "build a new nn.Linear(in_features, num_classes) with the num_classes you were given; setting "
    ".out_features on a copy of the old head changes the attribute only, not the weight's rows.",
)


def _replace_detail(inputs: Inputs, outcome: Outcome, check: str) -> Verdict | None:
    """Where the new head is and what it is: the structural half of the verdict."""
    name, k = inputs["name"], inputs["num_classes"]
    if flag(outcome, "dotted"):
        return DOTTED.verdict(check)
    if not flag(outcome, "found"):
        return fail(
            check,
            f"after your call the model has no module called {name!r} any more: put the new "
            "head where the old one was.",
        )
    returned = text_of(outcome.tensors.get("returned_type"))
    if flag(outcome, "placed_is_old"):
        if flag(outcome, "returned_is_old"):
            return OLD_KEPT.verdict(check)
        elsewhere = text_of(outcome.tensors.get("returned_at"), "")
        if flag(outcome, "returned_is_linear") and elsewhere:
            return HEAD_ELSEWHERE.verdict(
                check,
                f"(your new head is in the model at {elsewhere!r}, not at {name!r}, where it is needed)",
            )
        if flag(outcome, "returned_is_linear"):
            return NOT_ATTACHED.verdict(check)
        return fail(
            check,
            f"the model still holds its old head at {name!r}, and replace_head returned a "
            f"{returned}: build a new nn.Linear, put it in the model and return it.",
        )
    if not flag(outcome, "placed_is_linear"):
        logits = outcome.tensors.get("logits")
        if logits is not None and _normalised(logits):
            return SOFTMAX.verdict(check, _normalised(logits))
        return fail(
            check,
            f"the module at {name!r} is a {text_of(outcome.tensors.get('placed_type'))}, not an "
            f"nn.Linear: the new head is one nn.Linear(in_features, {k}) that returns logits.",
        )
    old, weight = outcome.tensors["old_weight"], outcome.tensors["weight"]
    if weight.ndim != 2:
        return fail(check, f"the new head's weight has shape {tuple(weight.shape)}; an nn.Linear's is 2-D")
    if weight.shape[1] != old.shape[1]:
        if weight.shape[1] == old.shape[0]:
            return OUT_FEATURES.verdict(
                check,
                f"(the new head takes {weight.shape[1]} features, the old head's out_features; the backbone "
                f"gives {old.shape[1]})",
            )
        return HARD_CODED.verdict(
            check, f"(the new head takes {weight.shape[1]} features; this backbone gives {old.shape[1]})"
        )
    if weight.shape[0] != k:
        text = f"(the new head has {weight.shape[0]} outputs; it needs num_classes={k}.)"
        return OLD_OUTPUTS.verdict(check, text) if weight.shape == old.shape else fail(check, text[1:-1])
    if weight.dtype != old.dtype:
        return WRONG_DTYPE.verdict(check, f"(the new head is {weight.dtype} while the model is {old.dtype})")
    if not flag(outcome, "placed_is_returned"):
        if flag(outcome, "returned_is_model"):
            return RETURNS_MODEL.verdict(check, f"(replace_head returned the {returned} itself)")
        return fail(
            check, f"replace_head put a new head in the model but returned a {returned}: return the new head."
        )
    return None


def _normalised(logits: torch.Tensor) -> str:
    """Why the outputs look like probabilities or log-probabilities ("" when they do not)."""
    if logits.ndim != 2 or not logits.is_floating_point() or not torch.isfinite(logits).all():
        return ""
    values = logits.double()
    zeros = torch.zeros(values.shape[0], dtype=torch.float64)
    if bool((values >= 0).all()) and torch.allclose(values.sum(-1), zeros + 1, atol=1e-4):
        return "(the model's outputs are positive and every row sums to 1)"
    if bool((values <= 0).all()) and torch.allclose(values.logsumexp(-1), zeros, atol=1e-4):
        return "(the model's outputs are log-probabilities: every row's exponentials sum to 1)"
    return ""


def _random_init(inputs: Inputs, outcome: Outcome, check: str) -> Verdict | None:
    digits = 7 if outcome.tensors["weight"].dtype == torch.float32 else 10
    weight, old = outcome.tensors["weight"].double(), outcome.tensors["old_weight"].double()
    if weight.numel() > 1 and bool((weight == weight.reshape(-1)[0]).all()):
        value = weight.reshape(-1)[0].item()
        return NOT_RANDOM.verdict(check, f"(every weight of the new head is {value:.{digits}g})")
    same = (weight[:, None, :] == old[None, :, :]).all(-1)  # (new rows, old rows): rows of the old head
    if bool(same.any()):
        copied = sorted({int(i) for i in same.nonzero()[:, 0]})
        return COPIED.verdict(check, f"(rows {copied} of the new weight are rows of the old head's weight)")
    bias = outcome.tensors.get("bias")
    if (
        bias is not None
        and bias.shape == outcome.tensors["old_bias"].shape
        and torch.equal(bias, outcome.tensors["old_bias"])
    ):
        return COPIED.verdict(check, "(the new bias is the old head's bias)")
    return None


def _judge_replace(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    require_tensors(
        outcome,
        "found",
        "placed_is_old",
        "placed_is_returned",
        "returned_is_old",
        "returned_is_linear",
        "placed_is_linear",
        "dotted",
        "others_unchanged",
        "features",
        "old_weight",
        "old_bias",
    )
    problem = _replace_detail(inputs, outcome, check) or _random_init(inputs, outcome, check)
    if problem is not None:
        return problem
    name = inputs["name"]
    if not flag(outcome, "has_bias"):
        return fail(check, "the new head has no bias: keep nn.Linear's default bias=True.")
    if not flag(outcome, "trainable"):
        return fail(check, "the new head's parameters do not require gradients: it is the part that trains.")
    others = [n for n in calls.parameter_names(inputs["model"]) if not calls.under(n, name)]
    kept = outcome.tensors["others_unchanged"].tolist()
    changed = [n for n, same in zip(others, kept, strict=False) if not same]
    if len(kept) != len(others) or changed:
        return fail(
            check,
            f"replace_head changed parameters outside the head ({listing(changed) or 'the model'}): "
            "the backbone must stay as it was.",
        )
    require_tensors(outcome, "logits", "weight", "bias")
    weight, bias, logits = outcome.tensors["weight"], outcome.tensors["bias"], outcome.tensors["logits"]
    expected = F.linear(outcome.tensors["features"].to(weight.dtype), weight, bias)  # (B, num_classes)
    problems = differences(
        {"logits": expected}, {"logits": logits}, tolerance(weight.dtype), axes={"logits": ("image", "class")}
    )
    if problems:
        if _normalised(logits):
            return SOFTMAX.verdict(check, _normalised(logits))
        return fail(
            check,
            "the model's output is not your new head applied to the backbone's features "
            "(does the model use the module you returned?):\n" + "\n".join(problems),
        )
    return Verdict(True, check)


def _judge_meta(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    require_tensors(outcome, "found", "placed_is_old", "placed_is_linear", "weight_on_meta", "weight_shape")
    name = inputs["name"]
    if not flag(outcome, "found"):
        return fail(check, f"after your call the model has no module called {name!r} any more.")
    if flag(outcome, "placed_is_old"):
        return fail(
            check,
            f"the model still holds its old head at {name!r} after your call: put the new head in its place.",
        )
    if not flag(outcome, "placed_is_linear"):
        return fail(
            check,
            f"the module at {name!r} is a {text_of(outcome.tensors.get('placed_type'))}, not an nn.Linear.",
        )
    if not flag(outcome, "weight_on_meta"):
        return WRONG_DEVICE.verdict(
            check, "(the model is on PyTorch's meta device here, a stand-in for a GPU; the new head is not)"
        )
    shape = tuple(outcome.tensors["weight_shape"].tolist())
    want = (inputs["num_classes"], inputs["model"]["dim"])
    if shape != want:
        return fail(
            check,
            f"the new head's weight has shape {shape}; expected {want} "
            "(num_classes, the old head's in_features).",
        )
    return Verdict(True, check)


def replace_case(
    name: str,
    spec: dict,
    num_classes: int,
    linear: str | None = None,
    default_name: bool = False,
    batch: int = 6,
    seed: int = 1,
) -> Case:
    def make() -> Inputs:
        return {
            "model": spec,
            "name": linear or calls.linear_name(spec),
            "num_classes": num_classes,
            "default_name": default_name,
            "x": calls.example_inputs(spec, batch, seed),
        }

    return Case(name, make, judge=_judge_replace)


def meta_case(name: str, spec: dict, num_classes: int) -> Case:
    return Case(
        name,
        lambda: {"model": spec, "name": calls.linear_name(spec), "num_classes": num_classes},
        call=calls.replace_head_on_meta,
        judge=_judge_meta,
    )


REPLACE_HEAD = TransferExercise(
    "test_replace_head",
    "replace_head",
    ("replace_head",),
    calls.replace_head,
    None,
    public=[
        replace_case(
            "a 24-wide model, 5 classes -> 3 (name left at its default, 'head')",
            model_spec(dim=24, classes=5),
            3,
            default_name=True,
        ),
        replace_case(
            "torchvision's layout (name='heads.head'), float64, 5 classes -> 7",
            model_spec(dim=24, classes=5, layout="heads.head", dtype=torch.float64, seed=1),
            7,
        ),
        meta_case(
            "a model on another device (PyTorch's meta device, a stand-in for a GPU)",
            model_spec(dim=16, classes=5, seed=2),
            4,
        ),
    ],
    structural=[
        m.name
        for m in (
            DOTTED,
            NOT_ATTACHED,
            OLD_KEPT,
            SOFTMAX,
            HARD_CODED,
            WRONG_DTYPE,
            WRONG_DEVICE,
            NOT_RANDOM,
            COPIED,
            HEAD_ELSEWHERE,
            OUT_FEATURES,
            RETURNS_MODEL,
            OLD_OUTPUTS,
        )
    ],
)


# --------------------------------------------------------------------------------------------------
# Exercise 2: freeze_backbone(model, head)

NOTHING_FROZEN = Known(
    "backbone still receiving gradients (nothing frozen)",
    "set p.requires_grad_(False) for every parameter that is not the head's.",
)
CHILDREN_ONLY = Known(
    "the class token still trains (only the child modules were frozen)",
    "loop over model.parameters() (or named_parameters()), not over the children: parameters "
    "of the model itself, like the class token and the positions, must freeze too.",
)
HEAD_FROZEN = Known(
    "the head frozen too (nothing left to train)", "keep requires_grad=True on the head's parameters."
)
TRAIN_MODE = Known(
    "frozen backbone left in train mode (dropout on, BatchNorm statistics still moving)",
    "call .eval() on every module outside the head, and keep the head in train mode.",
)
HEAD_EVAL = Known(
    "the head put in eval mode too (its dropout is off while it trains)",
    "after model.eval(), call head.train(): the head is the part that still trains.",
)
ROOT_TRAIN = Known(
    "the model itself left in train mode (only its children were switched to eval)",
    "call model.eval(), which includes the model itself, then head.train(): a model's own forward may "
    "read self.training (the course ViT's PatchDropout does).",
)
HEAD_MODE_KEPT = Known(
    "the head left in the mode it arrived in (head.train() never called)",
    "after switching the rest to eval, call head.train(): the head must train whatever mode the model "
    "was in before.",
)
HEAD_FLAGS_KEPT = Known(
    "the head's parameters left frozen as they arrived (requires_grad never set to True)",
    "set requires_grad=True on the head's parameters too (head.requires_grad_(True)): the head must "
    "train whatever the model's flags were before.",
)
TRAINING_ATTRIBUTE = Known(
    "model.training = False changes the model's own flag only (every submodule stays in train mode)",
    "call model.eval(): it sets training=False on the model and on every submodule; then head.train().",
)


def _freeze_expected(spec: dict) -> tuple[list[str], list[str], list[int], list[int]]:
    head = calls.head_name(spec)
    params, modules = calls.parameter_names(spec), calls.module_names(spec)
    return (
        params,
        modules,
        [int(calls.under(n, head)) for n in params],
        [int(bool(n) and calls.under(n, head)) for n in modules],
    )


def _freeze_mistake(spec: dict, grads: list[int], modes: list[int]) -> Known | None:
    """The catalogued mistake these flags and modes match, if any (grads/modes: the student's).

    A model that arrives as a fresh one (train mode, nothing frozen) tells the mistakes of freezing
    apart; one that arrives in eval mode with everything frozen shows what was never set back.
    """
    params, modules, want_grads, want_modes = _freeze_expected(spec)
    grads_right, modes_right = grads == want_grads, modes == want_modes
    if spec.get("mode", "train") == "eval" and spec.get("frozen", "none") == "all":
        if not any(grads) and any(want_grads):
            return HEAD_FLAGS_KEPT
        if grads_right and not any(modes):
            return HEAD_MODE_KEPT
        return None
    if spec.get("mode", "train") != "train" or spec.get("frozen", "none") != "none":
        return None
    own = [int("." not in n) for n in params]  # parameters of the model itself (class token, positions)
    if modes_right or modes == [0] + want_modes[1:]:
        if all(grads):
            return NOTHING_FROZEN
        if not any(grads):
            return HEAD_FROZEN
        children_only = [max(w, o) for w, o in zip(want_grads, own, strict=False)]
        if grads == children_only and children_only != want_grads:
            return CHILDREN_ONLY
    if grads_right:
        if all(modes):
            return TRAIN_MODE
        if not any(modes):
            return HEAD_EVAL
        if modes[0] == 0 and all(modes[1:]):
            return TRAINING_ATTRIBUTE
        if modes[0] == 1 and modes[1:] == want_modes[1:]:
            return ROOT_TRAIN
    return None


def _freeze_problems(spec: dict, outcome: Outcome) -> list[str]:
    """Every broken property, by parameter and module names."""
    params, modules, want_grads, want_modes = _freeze_expected(spec)
    head = calls.head_name(spec)
    t = outcome.tensors
    grads, modes, moved = t["requires_grad"].tolist(), t["training"].tolist(), t["moved"].tolist()
    label = lambda n: n or "the model itself"  # noqa: E731
    problems = []
    trainable = [n for n, g, w in zip(params, grads, want_grads, strict=False) if g and not w]
    if trainable:
        problems.append(f"still trainable (requires_grad=True) outside the head: {listing(trainable)}")
    frozen = [n for n, g, w in zip(params, grads, want_grads, strict=False) if w and not g]
    if frozen:
        problems.append(f"frozen although they belong to the head {head!r}: {listing(frozen)}")
    training = [label(n) for n, m, w in zip(modules, modes, want_modes, strict=False) if m and not w]
    if training:
        problems.append(f"still in train mode outside the head: {listing(training)}")
    evaluating = [n for n, m, w in zip(modules, modes, want_modes, strict=False) if w and not m]
    if evaluating:
        problems.append(f"in eval mode although part of the head {head!r}: {listing(evaluating)}")
    still = [n for n, g, w, m in zip(params, grads, want_grads, moved, strict=False) if g and w and not m]
    if still:
        problems.append(
            f"trainable but not moved by a training step (no gradient reached them): {listing(still)}"
        )
    stats = [n for n, b in zip(calls.buffer_names(spec), t["buffers_moved"].tolist(), strict=False) if b]
    if stats:
        problems.append(
            f"a forward pass changed {listing(stats)}: a BatchNorm outside the head is in train mode"
        )
    if not flag(outcome, "features_repeat"):
        problems.append(
            "two forward passes on the same images gave different features: a dropout outside the "
            "head is active"
        )
    return problems


def _arrival(spec: dict) -> str:
    frozen = spec.get("frozen", "none")
    state = {
        "none": "nothing frozen",
        "all": "every parameter frozen",
        "backbone": "the backbone frozen",
    }.get(frozen, f"the parameters under {frozen.removeprefix('prefix:')} frozen")
    return f"in {spec.get('mode', 'train')} mode with {state}"


def _judge_freeze(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    require_tensors(outcome, "requires_grad", "training", "moved", "buffers_moved", "features_repeat")
    spec = inputs["model"]
    params, modules, _, _ = _freeze_expected(spec)
    changed = changed_structure(
        outcome,
        {
            "requires_grad": (len(params), "parameters"),
            "training": (len(modules), "modules"),
            "moved": (len(params), "parameters"),
            "buffers_moved": (len(calls.buffer_names(spec)), "buffers"),
        },
    )
    if changed:
        return fail(check, changed)
    problems = _freeze_problems(spec, outcome)
    if not problems:
        return Verdict(True, check)
    if spec.get("mode", "train") != "train" or spec.get("frozen", "none") != "none":
        problems.append(
            f"(this model arrived {_arrival(spec)}: afterwards the head must train and be in train "
            "mode, whatever it was before)"
        )
    detail = "\n".join(f"- {p}" for p in problems)
    known = _freeze_mistake(
        spec, outcome.tensors["requires_grad"].tolist(), outcome.tensors["training"].tolist()
    )
    return known.verdict(check, detail) if known else fail(check, detail)


def freeze_case(name: str, spec: dict, foreign: bool = False, batch: int = 8, seed: int = 2) -> Case:
    def make() -> Inputs:
        labels = torch.randint(spec["classes"], (batch,), generator=seeded(seed + 100))
        return {
            "model": spec,
            "foreign_head": foreign,
            "x": calls.example_inputs(spec, batch, seed),
            "labels": labels,
        }

    return Case(name, make, expect_error=ValueError if foreign else None, judge=_judge_freeze)


FREEZE = TransferExercise(
    "test_freeze_backbone",
    "freeze_backbone",
    ("freeze_backbone",),
    calls.freeze_backbone,
    None,
    public=[
        freeze_case("a model with a BatchNorm, dropout and a class token", model_spec(dim=16, classes=4)),
        freeze_case("a head with its own dropout", model_spec(dim=16, classes=4, layout="drop_head", seed=1)),
        freeze_case(
            "a model that arrives in eval mode with every parameter frozen",
            model_spec(dim=16, classes=4, seed=2, mode="eval", frozen="all"),
        ),
        freeze_case(
            "a head that is not part of the model (ValueError)",
            model_spec(dim=16, classes=4, seed=3),
            foreign=True,
        ),
    ],
    structural=[
        m.name
        for m in (
            NO_VALUE_ERROR,
            TENSOR_IN,
            NOTHING_FROZEN,
            CHILDREN_ONLY,
            HEAD_FROZEN,
            TRAIN_MODE,
            HEAD_EVAL,
            TRAINING_ATTRIBUTE,
            ROOT_TRAIN,
            HEAD_MODE_KEPT,
            HEAD_FLAGS_KEPT,
        )
    ],
)


# --------------------------------------------------------------------------------------------------
# Exercise 3: transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay) -> AdamW

#: names of parameters that are never decayed whatever their shape (torchvision's and timm's names of
#: the class token and the positional embedding; "pos_embed" also matches "pos_embedding")
NO_DECAY_NAMES = ("class_token", "cls_token", "pos_embed")
DECAY_RULE = (
    "weight_decay for p.ndim >= 2 whose name contains none of class_token, cls_token, pos_embed; "
    "0.0 for the others (biases, norm weights, the class token, the positional embedding)"
)


def decayed(name: str, ndim: int) -> bool:
    """Notebook 6's rule, as notebook 7 states it: weight decay on weight matrices and kernels only."""
    return ndim >= 2 and not any(key in name for key in NO_DECAY_NAMES)


ONE_LR = Known(
    "the whole model at the head's learning rate",
    "the head's parameters at head_lr, all the others at backbone_lr (each split into a decayed and "
    "an undecayed group). A pretrained backbone needs small steps.",
)
SWAPPED = Known(
    "the two learning rates swapped",
    "the head (new, random) gets head_lr; the pretrained backbone gets the smaller backbone_lr.",
)
DEFAULT_DECAY = Known(
    "weight_decay not passed (AdamW's default 0.01 used)",
    "put 'weight_decay': weight_decay in the decayed groups and 'weight_decay': 0.0 in the others: a "
    "group without one takes AdamW's default, 0.01.",
)
FROZEN_IN_OPTIMIZER = Known(
    "frozen parameters in the optimizer (weight decay still moves them)",
    "build the optimizer from the parameters with p.requires_grad only: AdamW's weight "
    "decay shrinks every parameter it holds whose gradient is a tensor (zeros after "
    "zero_grad(set_to_none=False)), so a 'frozen' parameter drifts.",
)
LEFT_OUT = Known(
    "a trainable parameter left out",
    "every parameter with requires_grad=True goes into a group: the head's at head_lr, all the "
    "others (the model's own ones, like the class token, too) at backbone_lr; loop over "
    "model.named_parameters().",
)
EMPTY_GROUP = Known(
    "an empty parameter group kept (after freezing, the backbone group holds nothing)",
    "leave out a group whose parameter list is empty: optimizer.param_groups then lists only what "
    "trains (a linear probe's optimizer has two groups: the head's weight, and its bias).",
)
NOT_ADAMW = Known(
    "Adam instead of AdamW (weight decay added to the gradient instead of decoupled)",
    "return torch.optim.AdamW: Adam's weight_decay is an L2 term that Adam's scaling weakens; "
    "AdamW shrinks the weights directly.",
)
HEAD_AT_BACKBONE_LR = Known(
    "the head trained at backbone_lr (its parameters were not recognised as the head's)",
    "take the head's parameters from the head module you were given (head.parameters()), not by a "
    "name such as 'head': heads are called 'heads.head', 'classifier', 'fc'...",
)
DECAY_ALL = Known(
    "norms and biases decayed (one weight decay for every parameter)",
    f"notebook 6's rule: {DECAY_RULE}. Give each group its own 'weight_decay': a group without one "
    "takes the weight_decay passed to AdamW.",
)
TOKENS_DECAYED = Known(
    "the class token or positional embedding decayed (the shape rule without the names)",
    "they are 3-D, so p.ndim < 2 does not catch them: also leave out of decay every parameter whose "
    "name contains class_token, cls_token or pos_embed (torchvision: class_token, encoder.pos_embedding).",
)
CLASS_TOKEN_DECAYED = Known(
    "torchvision's class_token decayed (only notebook 6's names, cls_token and pos_embed, checked)",
    "torchvision calls the class token class_token: check class_token, cls_token and pos_embed "
    "('pos_embed' also matches encoder.pos_embedding).",
)
DECAY_SWAPPED = Known(
    "the decay groups swapped (decay on biases and norms, none on the weight matrices)",
    f"weight decay regularises the matrices: {DECAY_RULE}.",
)
DECAY_SOME_GROUPS = Known(
    "weight_decay missing from some groups (they get AdamW's default 0.01)",
    "give every group its weight decay: 'weight_decay': weight_decay for the decayed groups, "
    "'weight_decay': 0.0 for the others.",
)
NO_DECAY = Known(
    "no weight decay at all (the weight_decay argument is not used)",
    f"notebook 6's rule: {DECAY_RULE}; pass the argument in the decayed groups' 'weight_decay'.",
)
NORMS_DECAYED = Known(
    "1-D norm weights decayed (no-decay chosen by names such as 'bias' and 'norm', not by p.ndim < 2)",
    f"go by the shape: {DECAY_RULE}. A norm may be called bn, ln_1 or ln: its weight is 1-D whatever "
    "its name.",
)
MATRICES_SPARED = Known(
    "some weight matrices (p.ndim >= 2) not decayed (decay chosen by module type or name, not by shape)",
    f"go by the shape: {DECAY_RULE}. nn.MultiheadAttention's in_proj_weight is a 2-D matrix of the "
    "attention module itself, not of an nn.Linear.",
)
LR_PRODUCT = Known(
    "backbone_lr used as a factor of head_lr (the backbone at head_lr * backbone_lr)",
    "backbone_lr is the backbone's learning rate itself: 'lr': backbone_lr for the backbone's groups.",
)
OTHER_OPTIMIZER = Known(
    "another optimizer than torch.optim.AdamW",
    "return torch.optim.AdamW(groups): the course's recipe fine-tunes with AdamW's decoupled weight decay.",
)
SEVERAL_OPTIMIZERS = Known(
    "a list returned instead of one AdamW (several optimizers, or groups never handed to AdamW)",
    "one optimizer holds every group: return torch.optim.AdamW([{'params': ..., 'lr': head_lr, ...}, "
    "{'params': ..., 'lr': backbone_lr, ...}]); each group carries its own lr and weight_decay.",
)
OTHER_SETTINGS = Known(
    "AdamW's other settings changed (betas, eps or amsgrad)",
    "keep AdamW's defaults for betas, eps and amsgrad: pass only the groups (each with its lr and "
    "weight_decay).",
)
ADAMW_DEFAULT_DECAY = 0.01
EPS = 1e-8


def optimizer_inputs(
    spec: dict,
    head_lr: float,
    backbone_lr: float,
    weight_decay: float,
    seed: int = 5,
    stale_grads: bool = True,
) -> Inputs:
    g = seeded(seed)
    model = calls.instrument(spec)
    grads = [{n: torch.randn(p.shape, generator=g) for n, p in model.named_parameters()} for _ in range(2)]
    return {
        "model": spec,
        "head_lr": head_lr,
        "backbone_lr": backbone_lr,
        "weight_decay": weight_decay,
        "grads": grads,
        "stale_grads": stale_grads,
    }


def rates(inputs: Inputs) -> dict[str, tuple[float, float] | None]:
    """name -> (lr, weight decay) the notebook's rules give each parameter; None for a frozen one."""
    spec, head = inputs["model"], calls.head_name(inputs["model"])
    table: dict[str, tuple[float, float] | None] = {}
    for n, p in calls.instrument(spec).named_parameters():
        lr = inputs["head_lr"] if calls.under(n, head) else inputs["backbone_lr"]
        wd = inputs["weight_decay"] if decayed(n, p.ndim) else 0.0
        table[n] = None if calls.is_frozen(n, spec) else (lr, wd)
    return table


def adamw_steps(inputs: Inputs) -> dict[str, list[torch.Tensor]]:
    """name -> [initial, after step 1, after step 2], each parameter stepped by torch.optim.AdamW alone."""
    model, table = calls.instrument(inputs["model"]), rates(inputs)
    steps: dict[str, list[torch.Tensor]] = {}
    for name, p in model.named_parameters():
        q = p.detach().clone().requires_grad_(True)
        steps[name] = [q.detach().clone()]
        optimizer = (
            torch.optim.AdamW([q], lr=table[name][0], weight_decay=table[name][1]) if table[name] else None
        )
        for grads in inputs["grads"]:
            if optimizer is not None:
                q.grad = grads[name].to(q.dtype).clone()
                optimizer.step()
            steps[name].append(q.detach().clone())
    return steps


def fitted(before: torch.Tensor, after: torch.Tensor, grad: torch.Tensor) -> tuple[float, float]:
    """The (lr, weight decay) of one AdamW first step that moves ``before`` to ``after`` (least squares).

    A first AdamW step is ``p - lr * wd * p - lr * g / (|g| + eps)``.
    """
    delta = (after.double() - before.double()).reshape(-1)
    if not bool(delta.any()):
        return 0.0, 0.0
    g = grad.double().reshape(-1)
    design = torch.stack([-g / (g.abs() + EPS), -before.double().reshape(-1)], dim=1)  # (n, 2)
    lr, lr_wd = torch.linalg.lstsq(design, delta[:, None]).solution.reshape(-1).tolist()
    return lr, (lr_wd / lr if lr else math.nan)


def near(a: float, b: float) -> bool:
    return abs(a - b) <= 0.02 * abs(b) + 1e-4 * (b == 0)


def _decay_mistake(inputs: Inputs, found: dict[str, tuple[float, float]]) -> Known | None:
    """The catalogued weight-decay mistake the fitted decays match (every learning rate right)."""
    table, wd = rates(inputs), inputs["weight_decay"]
    due = {n: table[n][1] for n in found}
    got = {n: found[n][1] for n in found}
    wrong = [n for n in found if not near(got[n], due[n])]
    if not wrong or wd == 0:
        return None
    ndim = {n: p.ndim for n, p in calls.instrument(inputs["model"]).named_parameters()}
    kept, spared = [n for n in found if due[n]], [n for n in found if not due[n]]
    default = ADAMW_DEFAULT_DECAY
    if wd != default:
        if (
            kept
            and all(near(got[n], default) for n in kept)
            and all(near(got[n], 0.0) or near(got[n], default) for n in spared)
        ):
            return DEFAULT_DECAY
        if all(near(got[n], default) for n in wrong):
            return DECAY_SOME_GROUPS
    if all(near(got[n], wd) for n in found):
        return DECAY_ALL
    if kept and all(near(got[n], 0.0) for n in found):
        return NO_DECAY
    if all(near(got[n], wd) and not due[n] and ndim[n] == 1 and not n.endswith("bias") for n in wrong):
        return NORMS_DECAYED
    if all(near(got[n], 0.0) and due[n] for n in wrong):
        return MATRICES_SPARED
    if kept and spared and all(near(got[n], 0.0 if due[n] else wd) for n in found):
        return DECAY_SWAPPED
    if all(near(got[n], wd) and not due[n] and ndim[n] >= 2 for n in wrong):
        return CLASS_TOKEN_DECAYED if all("class_token" in n for n in wrong) else TOKENS_DECAYED
    return None


def _rate_mistake(inputs: Inputs, found: dict[str, tuple[float, float]]) -> Known | None:
    """The catalogued mistake the fitted (lr, weight decay) of the trainable parameters match, if any."""
    table = rates(inputs)
    head = calls.head_name(inputs["model"])
    head_lr, backbone_lr = inputs["head_lr"], inputs["backbone_lr"]
    heads = [n for n in found if calls.under(n, head)]
    others = [n for n in found if not calls.under(n, head)]
    lrs = {n: found[n][0] for n in found}

    def all_near(names: list[str], target: float) -> bool:
        return all(near(lrs[n], target) for n in names)

    if all(near(lrs[n], table[n][0]) for n in found):
        return _decay_mistake(inputs, found)
    if head_lr != backbone_lr and heads and all_near(heads, backbone_lr):
        if others and all_near(others, head_lr):
            return SWAPPED
        if others and all_near(others, backbone_lr):
            return HEAD_AT_BACKBONE_LR
    if others and head_lr != backbone_lr and all_near(list(found), head_lr):
        return ONE_LR
    if others and heads and all_near(heads, head_lr) and all_near(others, head_lr * backbone_lr):
        return LR_PRODUCT
    return None


def _rate_lines(
    wrong: list[str],
    found: dict[str, tuple[float, float]],
    table: dict[str, tuple[float, float] | None],
    first: dict[str, list[str]],
) -> list[str]:
    """One line per way of moving: the parameters that moved alike, the rates they moved at, the rates due."""
    groups: dict[str, list[str]] = {}
    for n in wrong:
        if n in found and table[n] is not None:
            lr, wd = found[n]
            wd = 0.0 if abs(wd) < 0.01 * max(table[n][1], ADAMW_DEFAULT_DECAY) else wd  # rounding noise: none
            moved = "did not move" if lr == 0 else f"moved as with lr {lr:.3g} and weight decay {wd:.3g}"
            key = f"{moved}; expected lr {table[n][0]:g}, weight decay {table[n][1]:g}"
        else:
            key = first[n][0].split(": ", 1)[-1]
        groups.setdefault(key, []).append(n)
    return [f"- {listing(names)}: {key}" for key, names in groups.items()][:6]


def _judge_optimizer_steps(check: str, inputs: Inputs, outcome: Outcome) -> Verdict | None:
    """The parameters after each step, against AdamW's, by name; on a difference, the rates they moved at."""
    t, expected, table = outcome.tensors, adamw_steps(inputs), rates(inputs)
    require_tensors(outcome, *[f"step{s}:{n}" for s in (1, 2) for n in expected])
    dtype = next(iter(expected.values()))[0].dtype
    tol = tolerance(dtype)
    first = {n: differences({n: steps[1]}, {n: t[f"step1:{n}"]}, tol) for n, steps in expected.items()}
    wrong = [n for n, problems in first.items() if problems]
    if wrong:
        found = {
            n: fitted(expected[n][0], t[f"step1:{n}"], inputs["grads"][0][n])
            for n in expected
            if table[n] is not None and t[f"step1:{n}"].shape == expected[n][0].shape
        }
        detail = "after one step with given gradients:\n" + "\n".join(_rate_lines(wrong, found, table, first))
        known = _rate_mistake(inputs, {n: f for n, f in found.items() if table[n] is not None})
        return known.verdict(check, detail) if known else fail(check, detail)
    second = [
        p for n, steps in expected.items() for p in differences({n: steps[2]}, {n: t[f"step2:{n}"]}, tol)
    ]
    if second:
        return OTHER_SETTINGS.verdict(
            check, "the first step is AdamW's, the second is not:\n" + "\n".join(f"- {p}" for p in second[:4])
        )
    return None


def _judge_optimizer(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    require_tensors(outcome, "type", "is_optimizer", "is_adamw")
    kind = text_of(outcome.tensors["type"])
    if not flag(outcome, "is_optimizer"):
        text = f"transfer_optimizer returned a {kind}, not an optimizer: return torch.optim.AdamW(...)."
        if kind in ("list", "tuple"):
            return SEVERAL_OPTIMIZERS.verdict(check, f"({text})")
        return fail(check, text)
    if not flag(outcome, "is_adamw"):
        if kind == "Adam":
            return NOT_ADAMW.verdict(check)
        return OTHER_OPTIMIZER.verdict(check, f"(transfer_optimizer returned a torch.optim.{kind})")
    require_tensors(outcome, "held", "foreign", "empty_groups")
    spec = inputs["model"]
    names = calls.parameter_names(spec)
    held = outcome.tensors["held"].tolist()
    if len(held) != len(names):
        return fail(
            check,
            "the model's parameters changed during your call: transfer_optimizer must only "
            "build the optimizer.",
        )
    if int(outcome.tensors["foreign"]):
        return fail(
            check,
            f"the optimizer holds {int(outcome.tensors['foreign'])} tensor(s) that are not parameters "
            "of the model (copies?): put the model's own parameters in the groups.",
        )
    steps = adamw_steps(inputs)
    frozen = [n for n in names if calls.is_frozen(n, spec)]
    moved = [n for n in frozen if not torch.equal(outcome.tensors[f"step2:{n}"], steps[n][0])]
    in_optimizer = [n for n, h in zip(names, held, strict=False) if h and n in frozen]
    if moved or in_optimizer:
        what = (
            f"frozen parameters moved although their gradients are zero: {listing(moved)}"
            if moved
            else f"the optimizer holds frozen parameters: {listing(in_optimizer)}"
        )
        return FROZEN_IN_OPTIMIZER.verdict(check, f"({what})")
    left_out = [n for n, h in zip(names, held, strict=False) if not h and n not in frozen]
    if left_out:
        return LEFT_OUT.verdict(check, f"(in no group, so they never train: {listing(left_out)})")
    verdict = _judge_optimizer_steps(check, inputs, outcome)
    if verdict is not None:
        return verdict
    if int(outcome.tensors["empty_groups"]):
        return EMPTY_GROUP.verdict(check)
    return Verdict(True, check)


def optimizer_case(
    name: str,
    spec: dict,
    head_lr: float,
    backbone_lr: float,
    weight_decay: float,
    seed: int = 5,
    stale_grads: bool = True,
) -> Case:
    return Case(
        name,
        lambda: optimizer_inputs(spec, head_lr, backbone_lr, weight_decay, seed, stale_grads),
        judge=_judge_optimizer,
    )


TRANSFER_OPTIMIZER = TransferExercise(
    "test_transfer_optimizer",
    "transfer_optimizer",
    ("transfer_optimizer",),
    calls.transfer_optimizer,
    None,
    public=[
        optimizer_case(
            "full fine-tuning of a model whose head is 'classifier': head lr 0.01, backbone lr 0.001, "
            "weight decay 0.05",
            model_spec(dim=16, classes=3, layout="classifier"),
            0.01,
            0.001,
            0.05,
        ),
        optimizer_case(
            "a frozen backbone (a linear probe): head lr 0.02, backbone lr 0.002, weight decay 0.1",
            model_spec(dim=16, classes=3, seed=1, frozen="backbone"),
            0.02,
            0.002,
            0.1,
            seed=6,
        ),
        optimizer_case(
            "torchvision's ViT (class_token, encoder.pos_embedding, heads.head), full fine-tuning: head lr "
            "0.01, backbone lr 0.001, weight decay 0.05",
            model_spec(kind="torchvision", dim=8, classes=3, layout="heads.head", seed=2),
            0.01,
            0.001,
            0.05,
            seed=7,
        ),
    ],
    structural=[
        m.name
        for m in (
            ONE_LR,
            SWAPPED,
            DEFAULT_DECAY,
            FROZEN_IN_OPTIMIZER,
            IN_TWO_GROUPS,
            LEFT_OUT,
            EMPTY_GROUP,
            NOT_ADAMW,
            HEAD_AT_BACKBONE_LR,
            DECAY_ALL,
            TOKENS_DECAYED,
            CLASS_TOKEN_DECAYED,
            DECAY_SWAPPED,
            DECAY_SOME_GROUPS,
            NO_DECAY,
            NORMS_DECAYED,
            MATRICES_SPARED,
            LR_PRODUCT,
            OTHER_OPTIMIZER,
            SEVERAL_OPTIMIZERS,
            OTHER_SETTINGS,
        )
    ],
)

EXERCISES = [REPLACE_HEAD, FREEZE, TRANSFER_OPTIMIZER]
