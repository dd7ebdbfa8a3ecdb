"""Checks for notebook 5 (the full Vision Transformer): oracle ``torchvision.models.VisionTransformer``.

Letters used in shape comments: B batch, C channels, H = W image side, P patch side, h = w = H / P
patches per side, N = h * w patches, D model width, K classes.

The oracle is torchvision's ViT with the student's own (perturbed) weights loaded into it; a hidden
case does the reverse (torchvision's weights copied into the student's model). Every mistake is
torchvision's model run with a forward hook that re-orders or re-pools its tokens, with one part
swapped for ``nn.Identity``, or a transformation of its logits: nothing here is a from-scratch answer.
When no catalogued mistake matches, the verdict says where the student's forward first departs from
torchvision's (the tokens entering the first block, those leaving the last one, the head's input).
How the student's code is called lives in :mod:`vitlab.harness.calls.vit`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache, partial

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import vision_transformer as tvvit

from vitlab.checks import messages
from vitlab.checks.core import (
    FLOAT32,
    Case,
    Exercise,
    Inputs,
    Mistake,
    Outcome,
    Tensors,
    Tolerance,
    Verdict,
    differences,
    matches,
    seeded,
)
from vitlab.harness.calls import vit as calls

#: float32 through several blocks and two attention code paths
VIT_TOL = Tolerance(1e-4, 1e-4)
#: the LayerNorm of nn.LayerNorm(dim) and nn.TransformerEncoderLayer (torchvision's default is 1e-6)
EPS = 1e-5
LOGIT_AXES = ("image", "class")
TOKEN_AXES = ("image", "token", "feature")

# --------------------------------------------------------------------------------------------------
# torchvision's model at a case's sizes


def torchvision_vit(
    inputs: Inputs, params: Tensors | None = None, dropout: float = 0.0
) -> tvvit.VisionTransformer:
    """torchvision's ViT at the case's sizes (any number of input channels), eval mode, optionally with
    the student's parameters (``p:``-prefixed outcome tensors) loaded."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = tvvit.VisionTransformer(
            inputs["image_size"],
            inputs["patch_size"],
            num_layers=inputs["depth"],
            num_heads=inputs["num_heads"],
            hidden_dim=inputs["dim"],
            mlp_dim=int(inputs["dim"] * inputs["mlp_ratio"]),
            dropout=dropout,
            attention_dropout=dropout,
            num_classes=inputs["num_classes"],
            norm_layer=partial(nn.LayerNorm, eps=EPS),
        )
        P = inputs["patch_size"]
        model.conv_proj = nn.Conv2d(inputs["in_channels"], inputs["dim"], kernel_size=P, stride=P)
    if params is not None:
        state = {k.removeprefix("p:"): v for k, v in params.items() if k.startswith("p:")}
        shapes = model.state_dict()
        model.load_state_dict(
            {k: v for k, v in state.items() if k in shapes and v.shape == shapes[k].shape}, strict=False
        )
    return model.eval()


@cache
def _shapes(sizes: tuple) -> dict[str, tuple[int, ...]]:
    with torch.device("meta"):
        model = torchvision_vit(dict(zip(calls.SIZE_ARGS, sizes, strict=True)))
    return {name: tuple(value.shape) for name, value in model.state_dict().items()}


def expected_shapes(inputs: Inputs) -> dict[str, tuple[int, ...]]:
    return _shapes(tuple(inputs[k] for k in calls.SIZE_ARGS))


def parameter_count(inputs: Inputs) -> int:
    return sum(torch.Size(shape).numel() for shape in expected_shapes(inputs).values())


def mismatched(inputs: Inputs, outcome: Outcome) -> dict[str, tuple[int, ...]]:
    """torchvision name -> expected shape, for each parameter the student's model lacks or shapes
    otherwise."""
    bad = {}
    for name, shape in expected_shapes(inputs).items():
        got = outcome.tensors.get("p:" + name)
        if got is None or tuple(got.shape) != shape:
            bad[name] = shape
    return bad


TOP_LABELS = {
    "conv_proj.weight": "patch_embed.weight",
    "conv_proj.bias": "patch_embed.bias",
    "class_token": "cls_token",
    "encoder.pos_embedding": "pos_embed",
    "encoder.ln.weight": "norm.weight",
    "encoder.ln.bias": "norm.bias",
    "heads.head.weight": "head.weight",
    "heads.head.bias": "head.bias",
}
BLOCK_LABELS = {
    "ln_1": "first LayerNorm",
    "ln_2": "second LayerNorm",
    "self_attention": "attention",
    "mlp.0": "first MLP Linear",
    "mlp.3": "second MLP Linear",
}


def label(name: str) -> str:
    """A torchvision parameter name in the student's terms: 'self.pos_embed',
    'self.blocks[1] (first LayerNorm: weight)'."""
    if name in TOP_LABELS:
        return "self." + TOP_LABELS[name]
    found = re.fullmatch(r"encoder\.layers\.encoder_layer_(\d+)\.(.+)", name)
    if not found:
        return name
    index, rest = found.groups()
    part = next((v for k, v in BLOCK_LABELS.items() if rest.startswith(k + ".")), "")
    return (
        f"self.blocks[{index}] ({part}: {rest.rsplit('.', 1)[-1]})"
        if part
        else f"self.blocks[{index}].{rest}"
    )


def needs(outcome: Outcome, *keys: str) -> None:
    """Read the outputs a judge needs before any arithmetic: a missing one raises core.MissingOutput
    (the run handed back less than it should), which the judge wrapper reports as such."""
    for key in keys:
        outcome.tensors[key]


# --------------------------------------------------------------------------------------------------
# Running torchvision's model


def _pooled(model: tvvit.VisionTransformer, pool: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Make torchvision's read-out (``x[:, 0]`` after the encoder) read ``pool(tokens)`` instead."""
    model.encoder.register_forward_hook(lambda module, args, out: pool(out).unsqueeze(1))


def mean_of_patches(tokens: torch.Tensor) -> torch.Tensor:
    return tokens[:, 1:].mean(dim=1)  # (B, N + 1, D) -> (B, D)


def run_torchvision(
    inputs: Inputs,
    model: tvvit.VisionTransformer,
    pool: str | None,
    *,
    grads: bool = False,
    stages: bool = False,
) -> Tensors:
    """Logits of a torchvision ViT on the case's images, read out as ``pool`` says (None: as rewired);
    with ``grads`` the gradients of calls.GRAD_NAMES, with ``stages`` what each stage handed on."""
    if pool == "mean":
        _pooled(model, mean_of_patches)
    seen: Tensors = {}
    if stages:
        layers = model.encoder.layers
        layers[0].register_forward_pre_hook(
            lambda m, args: (
                None if "stage:tokens" in seen else seen.update({"stage:tokens": args[0].detach()})
            )
        )
        layers[-1].register_forward_hook(lambda m, args, out: seen.update({"stage:encoded": out.detach()}))
        model.heads.head.register_forward_pre_hook(
            lambda m, args: seen.update({"stage:pooled": args[0].detach()})
        )
    images = inputs["images"]
    if not grads:
        with torch.no_grad():
            return {"logits": model(images), **seen}
    logits = model(images)
    logits.backward(inputs["grad"])
    named = dict(model.named_parameters())
    return {"logits": logits.detach(), **{"g:" + k: named[k].grad for k in calls.GRAD_NAMES}, **seen}


def _vit_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    """Logits, gradients and stages of torchvision's ViT with the student's weights."""
    return run_torchvision(
        inputs, torchvision_vit(inputs, outcome.tensors), inputs["pool"], grads=True, stages=True
    )


# --------------------------------------------------------------------------------------------------
# The catalogue: torchvision's model rewired

Rewire = Callable[[Inputs, Outcome], list[Tensors]]


def _variant(rewire: Rewire, allow: Sequence[str] = (), pools: Sequence[str] = ("cls", "mean")):
    """A mistake's output: torchvision's ViT with the student's weights, rewired (one or several ways of
    writing the same mistake: the one the student's output matches); None when it cannot apply."""

    def produce(inputs: Inputs, outcome: Outcome) -> Tensors | None:
        if inputs["pool"] not in pools or set(mismatched(inputs, outcome)) - set(allow):
            return None
        candidates = rewire(inputs, outcome)
        return next((c for c in candidates if matches(c, outcome.tensors, VIT_TOL)), None)

    return produce


def _model(inputs: Inputs, outcome: Outcome) -> tvvit.VisionTransformer:
    return torchvision_vit(inputs, outcome.tensors)


def _softmax_head(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    logits = run_torchvision(inputs, _model(inputs, outcome), inputs["pool"])["logits"]
    return [{"logits": logits.softmax(-1)}, {"logits": F.log_softmax(logits, -1)}]


def _no_class_slot(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    pos = outcome.tensors["p:encoder.pos_embedding"]  # (1, N, D): no row for the class token
    model = _model(inputs, outcome)
    if pos.dim() != 3 or pos.shape[1] != model.seq_length - 1:
        return []
    model.encoder.pos_embedding = nn.Parameter(torch.cat([torch.zeros_like(pos[:, :1]), pos], dim=1))
    return [run_torchvision(inputs, model, inputs["pool"])]


def _class_token_last(model: tvvit.VisionTransformer) -> None:
    model.encoder.register_forward_pre_hook(lambda m, args: (torch.cat([args[0][:, 1:], args[0][:, :1]], 1),))


def _appended(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    outputs = []
    for read_last in (True, False):
        model = _model(inputs, outcome)
        _class_token_last(model)
        if read_last:
            _pooled(model, lambda tokens: tokens[:, -1])
        outputs.append(run_torchvision(inputs, model, None))
    return outputs


def _wrong_index(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    outputs = []
    for index in (1, -1):
        model = _model(inputs, outcome)
        _pooled(model, lambda tokens, i=index: tokens[:, i])
        outputs.append(run_torchvision(inputs, model, None))
    return outputs


def _no_final_norm(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    model = _model(inputs, outcome)
    model.encoder.ln = nn.Identity()
    return [run_torchvision(inputs, model, inputs["pool"])]


def _no_position(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    model = _model(inputs, outcome)
    with torch.no_grad():
        model.encoder.pos_embedding.zero_()
    return [run_torchvision(inputs, model, inputs["pool"])]


def _conv_hook(reorder: Callable[[torch.Tensor], torch.Tensor]) -> Rewire:
    def rewire(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
        model = _model(inputs, outcome)
        model.conv_proj.register_forward_hook(lambda m, args, out: reorder(out))
        return [run_torchvision(inputs, model, inputs["pool"])]

    return rewire


def _plain_reshape(feature_map: torch.Tensor) -> torch.Tensor:
    """(B, D, h, w) whose memory is read as (B, N, D) without moving D last; torchvision then reshapes
    (B, D, N) and moves D last, so hand it the map that gives exactly those tokens."""
    B, D, h, w = feature_map.shape
    return feature_map.reshape(B, h * w, D).transpose(1, 2).reshape(B, D, h, w)


def _other_pool(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    other = "mean" if inputs["pool"] == "cls" else "cls"
    return [run_torchvision(inputs, _model(inputs, outcome), other)]


def _mean_with_class_token(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    model = _model(inputs, outcome)
    _pooled(model, lambda tokens: tokens.mean(dim=1))
    return [run_torchvision(inputs, model, None)]


def _mean_before_norm(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    """The tokens averaged as they leave the blocks, and the final LayerNorm applied to the average."""
    outputs = []
    for first in (1, 0):  # the patch tokens only, or every token
        model = _model(inputs, outcome)
        model.encoder.layers.register_forward_hook(
            lambda m, args, out, f=first: out[:, f:].mean(1, keepdim=True)
        )
        outputs.append(run_torchvision(inputs, model, None))
    return outputs


def _class_token_dropped(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    """pool='mean' without the class token in the sequence: the patches attend to each other only."""
    pos = outcome.tensors["p:encoder.pos_embedding"]  # (1, N + 1, D), or (1, N, D)
    N = expected_shapes(inputs)["encoder.pos_embedding"][1] - 1
    if pos.dim() != 3 or pos.shape[1] not in (N, N + 1):
        return []
    slices = [pos] if pos.shape[1] == N else [pos[:, 1:], pos[:, :N]]
    outputs = []
    for rows in slices:
        model = _model(inputs, outcome)
        model.encoder.pos_embedding = nn.Parameter(rows.clone())
        model.encoder.register_forward_pre_hook(lambda m, args: (args[0][:, 1:],))  # drop the class token
        _pooled(model, lambda tokens: tokens.mean(dim=1))
        outputs.append(run_torchvision(inputs, model, None))
    return outputs


def _not_chained(inputs: Inputs, outcome: Outcome) -> list[Tensors]:
    """Each block applied to the embedded tokens, and only one block's output kept (the last or the first)."""
    outputs = []
    for keep in (-1, 0):
        model = _model(inputs, outcome)
        model.encoder.layers = nn.Sequential(model.encoder.layers[keep])
        outputs.append(run_torchvision(inputs, model, inputs["pool"]))
    return outputs if inputs["depth"] > 1 else []


MEAN_BEFORE_NORM = "the tokens are averaged before the final LayerNorm"
CLASS_TOKEN_DROPPED = "the class token is left out of the sequence when pool='mean'"


def _vit_mistakes() -> list[Mistake]:
    return [
        Mistake(
            "softmax in the head: the model returns probabilities, not logits",
            "return self.head(...) as it is: nn.CrossEntropyLoss applies log-softmax itself.",
            _variant(_softmax_head),
        ),
        Mistake(
            "the positional embedding has no slot for the class token",
            "make pos_embed of shape (1, N + 1, D) and add it after prepending the class token.",
            _variant(_no_class_slot, allow=("encoder.pos_embedding",)),
        ),
        Mistake(
            "the class token is appended at the end instead of prepended at index 0",
            "torch.cat([cls, tokens], dim=1): the class token comes first, and the head reads x[:, 0].",
            _variant(_appended, pools=("cls",)),
        ),
        Mistake(
            "the head reads the wrong token (the class token is at index 0)",
            "with pool='cls', feed x[:, 0] (after the final LayerNorm) to the head.",
            _variant(_wrong_index, pools=("cls",)),
        ),
        Mistake(
            "no final LayerNorm before the head",
            "after the last block apply self.norm = nn.LayerNorm(dim) to the tokens, then pool.",
            _variant(_no_final_norm, allow=("encoder.ln.weight", "encoder.ln.bias")),
        ),
        Mistake(
            "the blocks are not chained: each gets the embedded tokens, not the previous block's output",
            "x = block(x) for each block in turn (or self.blocks(x) on an nn.Sequential): every block reads "
            "the output of the one before.",
            _variant(_not_chained),
        ),
        Mistake(
            "the positional embedding is never added",
            "add self.pos_embed to the tokens (after prepending the class token).",
            _variant(_no_position),
        ),
        Mistake(
            "the patch embedding's (B, D, h, w) map is reshaped to (B, N, D) without moving D last",
            "flatten the grid and then swap the axes: x.flatten(2).transpose(1, 2) gives (B, N, D).",
            _variant(_conv_hook(_plain_reshape)),
        ),
        Mistake(
            "patch tokens come out column-major",
            "flatten the (h, w) grid row by row: x.flatten(2) on (B, D, h, w), no transpose of h and w.",
            _variant(_conv_hook(lambda feature_map: feature_map.transpose(2, 3))),
        ),
        Mistake(
            "the pool argument is ignored",
            "pool='cls' reads x[:, 0]; pool='mean' averages the patch tokens x[:, 1:].",
            _variant(_other_pool),
        ),
        Mistake(
            "mean pooling includes the class token",
            "average the patch tokens only: x[:, 1:].mean(dim=1).",
            _variant(_mean_with_class_token, pools=("mean",)),
        ),
        Mistake(
            MEAN_BEFORE_NORM,
            "apply self.norm to all the tokens first, then average the patch tokens: "
            "self.norm(x)[:, 1:].mean(dim=1) (a LayerNorm of the average is not the average of the "
            "LayerNorms).",
            _variant(_mean_before_norm, pools=("mean",)),
        ),
        Mistake(
            CLASS_TOKEN_DROPPED,
            "prepend the class token and add all N + 1 positions whatever pool says: the patches attend to "
            "it in every block; pool='mean' only changes what is read at the end (x[:, 1:].mean(dim=1)).",
            _variant(_class_token_dropped, allow=("encoder.pos_embedding",), pools=("mean",)),
        ),
    ]


VIT_MISTAKES = _vit_mistakes()

# --------------------------------------------------------------------------------------------------
# Diagnoses that come from the structure of the outputs, not from a Mistake's output

NOT_EXPANDED = "the class token is not expanded over the batch"
NOT_PARAMETER = "the class token or positional embedding is not an nn.Parameter"
RETURNS_TUPLE = "forward returns several tensors instead of the logits"
SHARED_BLOCKS = "the blocks are one module repeated (they share their weights)"
DROPOUT_IN_EVAL = "dropout stays active in eval mode"
DETACHED = "a parameter is used without its gradient (detached or copied)"
NOT_VALUE_ERROR = "the argument checks are asserts (AssertionError), not raise ValueError"
CAT_SIZES = "Sizes of tensors must match except in dimension 1"
DROPOUT_FIX = (
    "use nn.Dropout modules (they switch off under model.eval()), or pass training=self.training to "
    "F.dropout (its default is training=True)."
)


def _named(check: str, name: str, fix: str, seen: str = "") -> Verdict:
    """A catalogued mistake recognised; ``seen`` says what in the outputs showed it."""
    return Verdict(
        False,
        check,
        messages.mistake(name, fix) + (f"\n(What showed it: {seen}.)" if seen else ""),
        mistake=name,
    )


def _not_expanded(check: str, inputs: Inputs, outcome: Outcome) -> Verdict | None:
    """torch.cat of the (1, 1, D) class token with (B, N, D) patch tokens fails for B > 1."""
    images = inputs.get("images")
    if outcome.error_type != "RuntimeError" or CAT_SIZES not in outcome.error_message:
        return None
    if not isinstance(images, torch.Tensor) or images.shape[0] < 2:
        return None
    return _named(
        check,
        NOT_EXPANDED,
        "self.cls_token.expand(B, -1, -1) gives every image a view of the same learned token.",
        f"torch.cat got a (1, 1, D) class token and ({images.shape[0]}, N, D) patch tokens",
    )


def _tuple_verdict(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    got = outcome.tensors
    count = int(got["returned"])
    items = [got.get(f"item{i}") for i in range(count)]
    shapes = ", ".join(str(tuple(t.shape)) if t is not None else "?" for t in items)
    text = f"your forward returns {count} tensors (shapes {shapes})"
    if not mismatched(inputs, outcome):
        logits = run_torchvision(inputs, torchvision_vit(inputs, got), inputs["pool"])["logits"]
        holding = [
            i for i, t in enumerate(items) if t is not None and matches({"l": logits}, {"l": t}, VIT_TOL)
        ]
        if holding:
            text += f"; item {holding[0]} of them holds the right logits"
    B, K = inputs["images"].shape[0], inputs["num_classes"]
    return _named(
        check,
        RETURNS_TUPLE,
        f"forward should end with return self.head(x): one tensor, the logits of "
        f"shape (B, num_classes) = ({B}, {K}); keep anything else (features, "
        "attention maps) out of what it returns.",
        text,
    )


def _shared_blocks(check: str, inputs: Inputs, outcome: Outcome) -> Verdict | None:
    blocks, distinct = int(outcome.tensors["blocks"]), int(outcome.tensors["distinct_blocks"])
    if distinct < blocks:
        return _named(
            check,
            SHARED_BLOCKS,
            "[make_block(...)] * depth repeats one block; build a new one each time: "
            "[make_block(...) for _ in range(depth)].",
            f"self.blocks holds {blocks} entries but only {distinct} distinct module(s)",
        )
    if blocks != inputs["depth"]:
        return Verdict(
            False,
            check,
            f"self.blocks holds {blocks} block(s); depth={inputs['depth']} asks for {inputs['depth']}.",
        )
    return None


def _dropout_in_eval(check: str, outcome: Outcome) -> Verdict | None:
    logits, again = outcome.tensors["logits"], outcome.tensors.get("again")
    if again is None or again.shape != logits.shape:
        return None
    if differences({"logits": logits}, {"logits": again}, FLOAT32, check_dtype=False):
        return _named(check, DROPOUT_IN_EVAL, DROPOUT_FIX, "two calls in eval mode gave different logits")
    return None


def _shape_verdict(check: str, bad: dict[str, tuple[int, ...]], outcome: Outcome) -> Verdict:
    lines = []
    for name, shape in bad.items():
        got = outcome.tensors.get("p:" + name)
        lines.append(
            f"{label(name)}: expected shape {shape}, "
            + ("missing" if got is None else f"got {tuple(got.shape)}")
        )
    return Verdict(
        False,
        check,
        "your model's parameters do not have torchvision's shapes at these sizes:\n" + "\n".join(lines),
    )


STAGES = (
    (
        "stage:tokens",
        "the tokens entering the first block",
        TOKEN_AXES,
        "so the problem is before the blocks: steps 1 to 3 (patch tokens in row-major order with D last, the "
        "class "
        "token at index 0, the positions added).",
    ),
    (
        "stage:encoded",
        "the tokens leaving the last block",
        TOKEN_AXES,
        "the tokens entering the first block are right, so apply every block of self.blocks once, in order, "
        "each to "
        "the previous block's output.",
    ),
    (
        "stage:pooled",
        "the head's input",
        ("image", "feature"),
        "the tokens leaving the blocks are right, so check the final LayerNorm and the pooling "
        "(pool='cls' reads "
        "x[:, 0]; pool='mean' averages the patch tokens x[:, 1:], after self.norm).",
    ),
)


def _which_tokens(expected: torch.Tensor, got: torch.Tensor) -> str:
    """' (only the class token, token 0)' or ' (the patch tokens; the class token is right)'."""
    bad = ~torch.isclose(got.double(), expected.double(), rtol=VIT_TOL.rtol, atol=VIT_TOL.atol)  # (B, T, D)
    per_token = bad.any(dim=(0, 2))
    if per_token[0] and not per_token[1:].any():
        return " (only the class token, token 0)"
    if not per_token[0] and per_token[1:].any():
        return " (the patch tokens; the class token's row is right)"
    return ""


def _where(inputs: Inputs, outcome: Outcome, expected: Tensors) -> str:
    """Where the student's forward first departs from torchvision's, in words."""
    got = outcome.tensors
    alone = got.get("alone")
    logits = got["logits"]
    if (
        alone is not None
        and alone.shape[1:] == logits.shape[1:]
        and alone.shape[0] == 1
        and logits.dim() == 2
    ):
        if differences({"l": alone[0]}, {"l": logits[0]}, VIT_TOL, check_dtype=False):
            return (
                "image 0's logits change when the other images of the batch change: your forward mixes the "
                "images of a batch (an operation over the batch axis, or a reshape that moves values between "
                "images)."
            )
    for key, what, axes, hint in STAGES:
        if key not in got:
            return (
                f"{what} never went through the module it should ({key.split(':')[1]} stage missing): {hint}"
            )
        problems = differences(
            {what: expected[key]}, {what: got[key]}, VIT_TOL, check_dtype=False, axes={what: axes}
        )
        if problems:
            same_shape = expected[key].shape == got[key].shape
            which = _which_tokens(expected[key], got[key]) if key == "stage:tokens" and same_shape else ""
            first = f"the first place your forward differs from torchvision's is {what}{which}"
            return f"{first}; {hint}\n{problems[0]}"
    return (
        "the head's input is right but the logits differ: return self.head(x) as it is (no softmax, "
        "no scaling)."
    )


def _gradient_verdict(check: str, expected: Tensors, outcome: Outcome) -> Verdict | None:
    got = outcome.tensors
    names = [k for k in calls.GRAD_NAMES if "g:" + k in expected]
    renamed = {f"the gradient of {label(k)}": expected["g:" + k] for k in names}
    mine = {f"the gradient of {label(k)}": got["g:" + k] for k in names if "g:" + k in got}
    problems = differences(renamed, mine, VIT_TOL, check_dtype=False)
    if not problems:
        return None
    silent = [
        label(k) for k in names if "g:" + k in got and not got["g:" + k].any() and expected["g:" + k].any()
    ]
    if silent:
        return _named(
            check,
            DETACHED,
            "use the parameter itself in forward, not .data, .detach(), "
            "torch.tensor(...) or a computation under torch.no_grad().",
            f"the logits are right, but no gradient reaches {', '.join(silent)}",
        )
    return Verdict(
        False,
        check,
        "the logits are right, but the gradients differ from torchvision's:\n" + "\n".join(problems),
    )


def judge_vit(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    """Logits and gradients against torchvision's ViT with the student's weights; on a mismatch, the
    catalogued mistake, or the parameter shapes, or the first stage that differs."""
    got = outcome.tensors
    if "returned" in got:
        return _tuple_verdict(check, inputs, outcome)
    needs(outcome, "logits", "blocks", "distinct_blocks")
    early = _shared_blocks(check, inputs, outcome) or _dropout_in_eval(check, outcome)
    if early is not None:
        return early
    bad = mismatched(inputs, outcome)
    expected: Tensors = {}
    if not bad:
        expected = _vit_oracle(inputs, outcome)
        problems = differences(
            {"logits": expected["logits"]}, {"logits": got["logits"]}, VIT_TOL, axes={"logits": LOGIT_AXES}
        )
        if not problems:
            return _gradient_verdict(check, expected, outcome) or Verdict(True, check)
    for mistake in VIT_MISTAKES:
        try:
            if mistake.produce(inputs, outcome) is not None:
                return _named(check, mistake.name, mistake.fix)
        except Exception:  # a mistake that cannot be formed for these outputs simply does not apply
            continue
    if bad:
        return _shape_verdict(check, bad, outcome)
    return Verdict(False, check, _where(inputs, outcome, expected) + "\n" + "\n".join(problems))


class VitExercise(Exercise):
    """An exercise whose raised outcomes may still name a mistake (the class token not expanded)."""

    def verdict(self, case: Case, inputs: Inputs, outcome: Outcome, **extra) -> Verdict:
        if outcome.raised and case.expect_error is None:
            named = _not_expanded(self.check_name(case), inputs, outcome)
            if named is not None:
                return named
        if case.expect_error is ValueError and outcome.error_type == "AssertionError":
            return _named(
                self.check_name(case),
                NOT_VALUE_ERROR,
                'raise ValueError("...") with a message: an '
                "assert is for your own invariants, and Python skips it under -O.",
                f"your code raised AssertionError: {outcome.error_message}".rstrip(": "),
            )
        return super().verdict(case, inputs, outcome, **extra)


# --------------------------------------------------------------------------------------------------
# Cases of VisionTransformer


def vit_inputs(
    *,
    B: int = 3,
    image_size: int = 8,
    patch_size: int = 4,
    in_channels: int = 1,
    num_classes: int = 5,
    dim: int = 16,
    depth: int = 2,
    num_heads: int = 2,
    mlp_ratio: float = 2.0,
    dropout: float = 0.1,
    pool: str = "cls",
    seed: int = 0,
) -> Callable[[], Inputs]:
    def make() -> Inputs:
        generator = seeded(seed)
        images = torch.randn(B, in_channels, image_size, image_size, generator=generator)  # (B, C, H, W)
        grad = torch.randn(B, num_classes, generator=generator)  # (B, K)
        return {
            "images": images,
            "grad": grad,
            "image_size": image_size,
            "patch_size": patch_size,
            "in_channels": in_channels,
            "num_classes": num_classes,
            "dim": dim,
            "depth": depth,
            "num_heads": num_heads,
            "mlp_ratio": mlp_ratio,
            "dropout": dropout,
            "pool": pool,
            "seed": seed,
        }

    return make


def vit_case(name: str, **sizes) -> Case:
    """Logits and gradients in eval mode (dropout > 0 but off) equal torchvision's with your weights."""
    return Case(name, vit_inputs(**sizes), judge=judge_vit)


def invalid_case(name: str, **sizes) -> Case:
    return Case(name, vit_inputs(**sizes), expect_error=ValueError, call=calls.forward)


def _judge_structure(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    needs(outcome, "count", "learnable", "blocks", "distinct_blocks")
    learnable = outcome.tensors["learnable"].tolist()
    if len(learnable) != 2:
        raise ValueError(f"the harness returned {len(learnable)} learnable flags")
    if not all(learnable):
        which = " and ".join(
            n for n, ok in zip(("self.cls_token", "self.pos_embed"), learnable, strict=True) if not ok
        )
        return _named(
            check,
            NOT_PARAMETER,
            "self.cls_token = nn.Parameter(torch.zeros(1, 1, dim)) and self.pos_embed = "
            "nn.Parameter(...) of shape (1, N + 1, dim): a plain tensor or a buffer is "
            "never updated by the optimiser.",
            f"{which} is not among model.parameters()",
        )
    shared = _shared_blocks(check, inputs, outcome)
    if shared is not None:
        return shared
    if not inputs["count"]:
        return Verdict(True, check)
    want, got = parameter_count(inputs), int(outcome.tensors["count"])
    if got != want:
        return Verdict(
            False,
            check,
            f"torchvision's ViT at these sizes has {want:,} parameters, yours {got:,}. The "
            "parts: Conv2d patch embedding, class token (1, 1, D), positional embedding "
            "(1, N + 1, D), the blocks, the final LayerNorm and the head.",
        )
    return Verdict(True, check)


def structure_case(count: bool = True, **sizes) -> Case:
    """Class token and positions are nn.Parameters, the blocks distinct; with ``count``, the parameter count
    is torchvision's."""
    make = vit_inputs(**sizes)
    size = sizes.get("image_size", 8)
    name = (
        f"parameter count ({size}x{size} images, pool={sizes.get('pool', 'cls')!r})"
        if count
        else f"class token and positions are nn.Parameters (pool={sizes.get('pool', 'cls')!r})"
    )
    return Case(name, lambda: {**make(), "count": count}, call=calls.structure, judge=_judge_structure)


DROPOUT_MISPLACED = "self.dropout is not applied once, right after adding the positions"
BLOCKS_WITHOUT_DROPOUT = "the blocks are built without the dropout argument"


def _judge_seeded_train(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    """Eval mode first (any other mistake shows there), then train mode under the case's seed: the same
    dropout masks as torchvision's ViT when the blocks are the built-in ones."""
    if "returned" in outcome.tensors:
        return _tuple_verdict(check, inputs, outcome)
    needs(outcome, "logits", "eval_logits", "built_in_blocks", "block_dropout")
    if not outcome.tensors["built_in_blocks"].item():
        return Verdict(True, check)  # the student's own blocks: their dropout need not follow torchvision's
    bad = mismatched(inputs, outcome)
    if bad:
        return _shape_verdict(check, bad, outcome)
    model = torchvision_vit(inputs, outcome.tensors, dropout=inputs["dropout"])
    if inputs["pool"] == "mean":
        _pooled(model, mean_of_patches)
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        evaluation = {"logits": model.eval()(inputs["images"])}
        torch.manual_seed(inputs["seed"])
        expected = {"logits": model.train()(inputs["images"])}
    axes = {"logits": LOGIT_AXES}
    problems = differences(evaluation, {"logits": outcome.tensors["eval_logits"]}, VIT_TOL, axes=axes)
    if problems:
        return Verdict(
            False,
            check,
            "your logits differ from torchvision's even in eval mode (the checks of "
            "logits above say where):\n" + "\n".join(problems),
        )
    problems = differences(expected, {"logits": outcome.tensors["logits"]}, VIT_TOL, axes=axes)
    if not problems:
        return Verdict(True, check)
    rates = outcome.tensors["block_dropout"].double()
    if rates.numel() and not torch.allclose(rates, torch.full_like(rates, inputs["dropout"])):
        return _named(
            check,
            BLOCKS_WITHOUT_DROPOUT,
            "pass it on: make_block(dim, num_heads, mlp_ratio, dropout).",
            f"with dropout={inputs['dropout']} your blocks drop with p={rates.tolist()}",
        )
    return _named(
        check,
        DROPOUT_MISPLACED,
        "x = self.dropout(x + self.pos_embed): not before adding the positions, "
        "not twice, not left out (the blocks bring their own dropout).",
        "in eval mode your logits are right; in train mode, with the same random seed, they differ from "
        "torchvision's",
    )


def seeded_train_case(B: int = 2, seed: int = 109, **sizes) -> Case:
    """Train mode with dropout 0.3 under a fixed seed: the dropout masks of torchvision's ViT."""
    return Case(
        f"train mode, dropout 0.3, fixed seed: the dropout of torchvision's ViT "
        f"({B} images of {sizes.get('image_size', 8)}x{sizes.get('image_size', 8)}, "
        f"pool={sizes.get('pool', 'cls')!r})",
        vit_inputs(B=B, dropout=0.3, seed=seed, **sizes),
        call=calls.seeded_train,
        judge=_judge_seeded_train,
    )


CLS_NOT_ZERO = "the class token does not start at zero"
POSITIONS_NOT_SMALL_RANDOM = "the positional embedding does not start as torch.randn(1, N + 1, dim) * 0.02"


def _judge_init(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    """The class token starts at zero (or tiny); the positions random with standard deviation 0.02."""
    needs(outcome, "cls_token", "pos_embed")
    cls_token, pos = outcome.tensors["cls_token"].double(), outcome.tensors["pos_embed"].double()
    if cls_token.numel() == 0 or pos.numel() < 2:
        return Verdict(
            False,
            check,
            f"self.cls_token has shape {tuple(cls_token.shape)} and self.pos_embed "
            f"{tuple(pos.shape)}: expected (1, 1, D) and (1, N + 1, D)",
        )
    largest = cls_token.abs().max().item()
    if largest > 0.1:
        return _named(
            check,
            CLS_NOT_ZERO,
            "self.cls_token = nn.Parameter(torch.zeros(1, 1, dim)).",
            f"yours starts with values up to {largest:.3g}",
        )
    spread = pos.std().item()  # (1, N + 1, D) values: hundreds of them, so within a few % of 0.02
    if not 0.015 <= spread <= 0.025:
        seen = (
            "every value equal: every position would start the same"
            if spread == 0
            else f"a standard deviation of {spread:.3g} instead of 0.02"
        )
        return _named(
            check,
            POSITIONS_NOT_SMALL_RANDOM,
            "self.pos_embed = nn.Parameter(torch.randn(1, N + 1, dim) "
            "* 0.02): random, so that positions start different, and small.",
            f"yours starts with {seen}",
        )
    return Verdict(True, check)


def init_case(seed: int = 110, **sizes) -> Case:
    size, P = sizes.get("image_size", 16), sizes.get("patch_size", 4)
    return Case(
        f"initial values ({size}x{size} images, {P}x{P} patches): class token zero, positions "
        "random with standard deviation 0.02",
        vit_inputs(seed=seed, **{"image_size": 16, "dim": 32, **sizes}),
        call=calls.initial_values,
        judge=_judge_init,
    )


STRUCTURAL = [
    NOT_EXPANDED,
    NOT_PARAMETER,
    RETURNS_TUPLE,
    SHARED_BLOCKS,
    DROPOUT_IN_EVAL,
    DETACHED,
    NOT_VALUE_ERROR,
    DROPOUT_MISPLACED,
    BLOCKS_WITHOUT_DROPOUT,
    CLS_NOT_ZERO,
    POSITIONS_NOT_SMALL_RANDOM,
]

VIT = VitExercise(
    "test_vit",
    "VisionTransformer",
    ("VisionTransformer",),
    calls.vit,
    _vit_oracle,
    VIT_MISTAKES,
    VIT_TOL,
    public=[
        structure_case(count=False),
        vit_case("8x8 images, 4x4 patches, D=16, 2 blocks: logits and gradients"),
        vit_case(
            "28x28 images, 7x7 patches, D=24, 3 blocks, 10 classes",
            image_size=28,
            patch_size=7,
            dim=24,
            depth=3,
            num_heads=4,
            num_classes=10,
            seed=1,
        ),
        structure_case(),
        seeded_train_case(),
        init_case(),
        invalid_case("image size 10 is not a multiple of patch size 4", image_size=10),
        invalid_case("pool='max' is not an option", pool="max"),
    ],
    structural=STRUCTURAL,
)

VIT_MEAN = VitExercise(
    "test_vit_mean",
    "VisionTransformer(pool='mean')",
    ("VisionTransformer",),
    calls.vit,
    _vit_oracle,
    VIT_MISTAKES,
    VIT_TOL,
    public=[
        structure_case(count=False, pool="mean"),
        vit_case("pool='mean': 8x8 images, 4x4 patches, D=16", pool="mean", seed=2),
        vit_case(
            "pool='mean': 28x28 images, 7x7 patches, D=24, 3 blocks",
            image_size=28,
            patch_size=7,
            dim=24,
            depth=3,
            num_heads=4,
            num_classes=10,
            pool="mean",
            seed=3,
        ),
    ],
    structural=STRUCTURAL,
)

# --------------------------------------------------------------------------------------------------
# Exercise 2: the paper's Table 1, by configuration

PAPER = {"ViT-B/16": tvvit.vit_b_16, "ViT-L/16": tvvit.vit_l_16, "ViT-H/14": tvvit.vit_h_14}


@cache
def torchvision_sizes(name: str, image_size: int = 224) -> tuple[tuple[float, ...], int]:
    """(patch_size, dim, depth, num_heads, mlp_ratio) and the parameter count of torchvision's model."""
    with torch.device("meta"):
        model = PAPER[name](weights=None, image_size=image_size)
    sizes = (
        model.patch_size,
        model.hidden_dim,
        len(model.encoder.layers),
        model.encoder.layers[0].num_heads,
        model.mlp_dim / model.hidden_dim,
    )
    return tuple(float(s) for s in sizes), sum(p.numel() for p in model.parameters())


def _configs_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    rows = [torchvision_sizes(name, inputs["image_size"]) for name in inputs["models"]]
    return {
        "settings": torch.tensor([r[0] for r in rows], dtype=torch.float64),
        "parameters": torch.tensor([r[1] for r in rows]),
    }


def _settings_with(change: Callable[[str, list[float]], list[float] | None]):
    """A mistake's settings table: torchvision's sizes with ``change`` applied to some rows."""

    def produce(inputs: Inputs, outcome: Outcome) -> Tensors | None:
        rows, changed = [], False
        for name in inputs["models"]:
            sizes = list(torchvision_sizes(name, inputs["image_size"])[0])
            new = change(name, sizes)
            changed |= new is not None
            rows.append(new if new is not None else sizes)
        return {"settings": torch.tensor(rows, dtype=torch.float64)} if changed else None

    return produce


def _huge_16(name: str, sizes: list[float]) -> list[float] | None:
    return [16.0, *sizes[1:]] if name == "ViT-H/14" else None


def _mlp_size(name: str, sizes: list[float]) -> list[float]:
    return [*sizes[:4], sizes[1] * sizes[4]]


CONFIG_MISTAKES = [
    Mistake(
        "ViT-H/14 built with 16 x 16 patches",
        "the number after the slash is the patch size: ViT-H/14 cuts 14 x 14 patches (256 of them at "
        "224 px).",
        _settings_with(_huge_16),
    ),
    Mistake(
        "mlp_ratio set to Table 1's MLP size",
        "mlp_ratio is the MLP size divided by D: 3072 / 768 = 4096 / 1024 = 5120 / 1280 = 4.0.",
        _settings_with(_mlp_size),
    ),
]


def _config_problems(inputs: Inputs, outcome: Outcome) -> list[str]:
    """Missing models, missing or extra keys, non-integer sizes: what keeps a model from being built."""
    got, problems = outcome.tensors, []
    for i, name in enumerate(inputs["models"]):
        if not bool(got["present"][i]):
            problems.append(
                f"paper_configs() has no key {name!r} (write the three names exactly as "
                f"{', '.join(map(repr, calls.PAPER_MODELS))})"
            )
            continue
        values, integers = got["settings"][i], got["integers"][i]
        missing = [
            k for k, v in zip(calls.SIZE_KEYS, values.tolist(), strict=True) if v != v
        ]  # NaN: missing or not a number
        if missing:
            problems.append(f"paper_configs()[{name!r}] needs a number for {', '.join(missing)}")
        not_int = [
            k
            for j, k in enumerate(calls.SIZE_KEYS)
            if k in calls.INTEGER_KEYS and k not in missing and not bool(integers[j])
        ]
        if not_int:
            problems.append(f"paper_configs()[{name!r}]: {', '.join(not_int)} should be Python ints")
        if int(got["extra"][i]):
            problems.append(
                f"paper_configs()[{name!r}] has {int(got['extra'][i])} key(s) besides "
                f"{', '.join(calls.SIZE_KEYS)}: keep only these five (the test passes image_size, "
                "in_channels and num_classes itself)"
            )
    return problems


def judge_configs(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    """Table 1's sizes for each model, then the parameter count of VisionTransformer built with them."""
    needs(outcome, "present", "settings", "integers", "extra", "parameters")
    M = len(inputs["models"])
    shapes = {"present": (M,), "settings": (M, 5), "integers": (M, 5), "extra": (M,), "parameters": (M,)}
    for key, shape in shapes.items():
        if tuple(outcome.tensors[key].shape) != shape:
            raise ValueError(f"the harness returned {key} of shape {tuple(outcome.tensors[key].shape)}")
    problems = _config_problems(inputs, outcome)
    if problems:
        return Verdict(False, check, "\n".join(problems))
    expected = _configs_oracle(inputs, outcome)
    got = outcome.tensors
    wrong = []
    for i, name in enumerate(inputs["models"]):
        for j, key in enumerate(calls.SIZE_KEYS):
            want, have = expected["settings"][i, j].item(), got["settings"][i, j].item()
            if abs(want - have) > 1e-9 * max(1.0, abs(want)):
                wrong.append(
                    f"{name}: {key} is {messages.number(have)}, Table 1 gives {messages.number(want)}"
                )
    if wrong:
        for mistake in CONFIG_MISTAKES:
            produced = mistake.produce(inputs, outcome)
            if produced is not None and matches(
                produced, {"settings": got["settings"]}, Tolerance(1e-9, 0.0)
            ):
                return _named(check, mistake.name, mistake.fix)
        return Verdict(False, check, "\n".join(wrong))
    counts = []
    for i, name in enumerate(inputs["models"]):
        want, have = int(expected["parameters"][i]), int(got["parameters"][i])
        if want != have:
            counts.append(
                f"{name} at {inputs['image_size']} px: your VisionTransformer has {have:,} parameters, "
                f"torchvision's {want:,}"
            )
    if counts:
        return Verdict(
            False,
            check,
            "the sizes are right, but your VisionTransformer built with them does not have "
            "torchvision's parameter count (make test_vit pass first):\n" + "\n".join(counts),
        )
    return Verdict(True, check)


def configs_case(name: str, models: Sequence[str] = calls.PAPER_MODELS, image_size: int = 224) -> Case:
    return Case(name, lambda: {"models": list(models), "image_size": image_size}, judge=judge_configs)


CONFIGS = Exercise(
    "test_paper_configs",
    "paper_configs",
    ("paper_configs", "VisionTransformer"),
    calls.paper_configs,
    _configs_oracle,
    CONFIG_MISTAKES,
    Tolerance(0.0, 0.0),
    public=[configs_case("ViT-B/16, ViT-L/16 and ViT-H/14 at 224 px, 1000 classes")],
)

EXERCISES = [VIT, VIT_MEAN, CONFIGS]
