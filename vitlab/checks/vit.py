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


def _raised_mistake(check: str, inputs: Inputs, outcome: Outcome) -> Verdict | None:
    """A strided patch embedding missing (the harness's check), or the mean over the features (the head's
    matmul fails on (B, N + 1) or (B, N))."""
    said = outcome.error_message
    conv = re.search(r"kernel_size=\((\d+), (\d+)\), stride=\((\d+), (\d+)\)", said)
    if conv and conv.group(1, 2) != conv.group(3, 4):
        fix = "nn.Conv2d(in_channels, dim, kernel_size=patch_size, stride=patch_size): one output per patch."
        return _named(check, CONV_NO_STRIDE, fix, f"the harness found {conv.group(0)}")
    product = re.search(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)", said)
    if product is None or inputs.get("pool") != "mean" or "images" not in inputs:
        return None
    N = expected_shapes(inputs)["encoder.pos_embedding"][1] - 1
    if (
        int(product.group(1)) == inputs["images"].shape[0]
        and int(product.group(2)) in (N, N + 1)
        and int(product.group(3)) == inputs["dim"]
    ):
        return _named(check, POOL_FEATURE_AXIS, READ_OUT_FIXES[POOL_FEATURE_AXIS], product.group(0))
    return None


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


HEAD_ON_ALL_TOKENS = "the head is built on all N + 1 tokens flattened instead of one pooled token"
PATCH_COUNT_PRECEDENCE = "N computed as image_size // patch_size ** 2 (** binds before //)"
CONV_NO_STRIDE = "the patch embedding's Conv2d without stride=patch_size (overlapping patches)"
CLASS_TOKEN_UNUSED = "the learned class token is not used (a fresh tensor where self.cls_token belongs)"
POOL_DIVISOR = "the patch tokens summed and divided by all N + 1 tokens"
POOL_MAX = "max pooling instead of the mean of the patch tokens"
POOL_KEEPDIM = "the mean kept the token axis (keepdim=True): the head gets (B, 1, D)"
POOL_BATCH_AXIS = "the mean taken over the batch axis (dim=0) instead of the tokens"
POOL_BATCH_SLICED = "[1:] applied to the batch axis instead of the tokens"
POOL_FIRST_IMAGE = "x[0], the first image's tokens, read instead of x[:, 0], every image's class token"
POOL_FEATURE_AXIS = "the mean taken over the feature axis (dim=-1) instead of the tokens"
SHAPE_FIXES = {
    HEAD_ON_ALL_TOKENS: "the head reads one D-vector per image (the class token, or the mean of the patch "
    "tokens): self.head = nn.Linear(dim, num_classes).",
    PATCH_COUNT_PRECEDENCE: "write N = (image_size // patch_size) ** 2: the parentheses make the patches per "
    "side first.",
}


def _named_shape(inputs: Inputs, bad: dict[str, tuple[int, ...]], outcome: Outcome) -> str | None:
    """The shape mistakes whose cause the wrong parameter shapes show."""
    head = outcome.tensors.get("p:heads.head.weight")
    N = expected_shapes(inputs)["encoder.pos_embedding"][1] - 1
    if (
        "heads.head.weight" in bad
        and head is not None
        and tuple(head.shape[1:]) == ((N + 1) * inputs["dim"],)
    ):
        return HEAD_ON_ALL_TOKENS
    pos = outcome.tensors.get("p:encoder.pos_embedding")
    wrong_n = inputs["image_size"] // inputs["patch_size"] ** 2
    if "encoder.pos_embedding" in bad and pos is not None and pos.dim() == 3 and pos.shape[1] == wrong_n + 1:
        return PATCH_COUNT_PRECEDENCE
    return None


def _shape_verdict(check: str, bad: dict[str, tuple[int, ...]], outcome: Outcome, inputs: Inputs) -> Verdict:
    named = _named_shape(inputs, bad, outcome)
    lines = [messages.mistake(named, SHAPE_FIXES[named])] if named else []
    for name, shape in bad.items():
        got = outcome.tensors.get("p:" + name)
        lines.append(
            f"{label(name)}: expected shape {shape}, "
            + ("missing" if got is None else f"got {tuple(got.shape)}")
        )
    lines.insert(int(bool(named)), "your model's parameters do not have torchvision's shapes at these sizes:")
    return Verdict(False, check, "\n".join(lines), mistake=named)


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
        return _shape_verdict(check, bad, outcome, inputs)
    read_out = _read_out_mistake(inputs, outcome, expected)
    if read_out is not None:
        return _named(check, read_out, READ_OUT_FIXES[read_out])
    return Verdict(False, check, _where(inputs, outcome, expected) + "\n" + "\n".join(problems))


READ_OUT_FIXES = {
    CLASS_TOKEN_UNUSED: "prepend the learned parameter, expanded over the batch: "
    "torch.cat([self.cls_token.expand(B, -1, -1), x], dim=1) (a tensor made in forward learns nothing).",
    POOL_DIVISOR: "average the N patch tokens: x[:, 1:].mean(dim=1) (a sum over N divided by N + 1 is too "
    "small).",
    POOL_MAX: "pool='mean' averages the patch tokens: x[:, 1:].mean(dim=1).",
    POOL_KEEPDIM: "leave keepdim at False: x[:, 1:].mean(dim=1) has shape (B, D), one vector per image.",
    POOL_BATCH_AXIS: "x has shape (B, N + 1, D): average over dim=1, the tokens, after dropping the class "
    "token (x[:, 1:].mean(dim=1)).",
    POOL_BATCH_SLICED: "x[:, 1:] drops the class token (the first token of every image); x[1:] or [1:] "
    "after the mean drops the first image.",
    POOL_FIRST_IMAGE: "x[:, 0] reads token 0 of every image, (B, D); x[0] is all the tokens of image 0, "
    "(N + 1, D).",
    POOL_FEATURE_AXIS: "average over the tokens, dim=1 of (B, N + 1, D): x[:, 1:].mean(dim=1).",
}


def _normed_tokens(inputs: Inputs, outcome: Outcome) -> torch.Tensor:
    """The tokens after the final LayerNorm, (B, N + 1, D): torchvision's ViT with the student's weights."""
    model, seen = _model(inputs, outcome), {}
    model.encoder.register_forward_hook(lambda m, args, out: seen.setdefault("tokens", out.detach()))
    run_torchvision(inputs, model, "cls")
    return seen["tokens"]


def _read_out_mistake(inputs: Inputs, outcome: Outcome, expected: Tensors) -> str | None:
    """A wrong class token or read-out, recognised in the tokens entering the blocks or the head's input."""
    got = outcome.tensors
    tokens, pos = got.get("stage:tokens"), got.get("p:encoder.pos_embedding")
    if (
        isinstance(tokens, torch.Tensor)
        and isinstance(pos, torch.Tensor)
        and tokens.shape == expected["stage:tokens"].shape
        and _which_tokens(expected["stage:tokens"], tokens).startswith(" (only the class token")
        and torch.allclose(tokens[:, 0].double(), pos[0, 0].double().expand_as(tokens[:, 0]), atol=1e-5)
    ):
        return CLASS_TOKEN_UNUSED
    head_input = got.get("stage:pooled")
    if not isinstance(head_input, torch.Tensor):
        return None
    normed = _normed_tokens(inputs, outcome).to(head_input.dtype)  # (B, N + 1, D)
    patches = normed[:, 1:]
    guesses = {
        "mean": [
            (POOL_DIVISOR, patches.sum(1) / normed.shape[1]),
            (POOL_MAX, patches.amax(1)),
            (POOL_KEEPDIM, patches.mean(1, keepdim=True)),
            (POOL_BATCH_AXIS, patches.mean(0)),
            (POOL_BATCH_AXIS, normed.mean(0)[1:]),
            (POOL_BATCH_SLICED, normed.mean(1)[1:]),
            (POOL_BATCH_SLICED, normed[1:].mean(1)),
        ],
        "cls": [(POOL_FIRST_IMAGE, normed[0])],
    }[inputs["pool"]]
    for name, guess in guesses:
        if guess.shape == head_input.shape and torch.allclose(
            guess.double(), head_input.double(), rtol=VIT_TOL.rtol, atol=VIT_TOL.atol
        ):
            return name
    return None


class VitExercise(Exercise):
    """An exercise whose raised outcomes may still name a mistake (the class token not expanded)."""

    def verdict(self, case: Case, inputs: Inputs, outcome: Outcome, **extra) -> Verdict:
        if outcome.raised and case.expect_error is None:
            named = _not_expanded(self.check_name(case), inputs, outcome) or _raised_mistake(
                self.check_name(case), inputs, outcome
            )
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
        return _shape_verdict(check, bad, outcome, inputs)
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
    HEAD_ON_ALL_TOKENS,
    PATCH_COUNT_PRECEDENCE,
    CONV_NO_STRIDE,
    CLASS_TOKEN_UNUSED,
    POOL_FIRST_IMAGE,
]
STRUCTURAL_MEAN = [
    *STRUCTURAL,
    POOL_DIVISOR,
    POOL_MAX,
    POOL_KEEPDIM,
    POOL_BATCH_AXIS,
    POOL_BATCH_SLICED,
    POOL_FEATURE_AXIS,
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
    structural=STRUCTURAL_MEAN,
)

# --------------------------------------------------------------------------------------------------
# Exercise 2: vit_parameter_count, the closed form checked against the module's real count
#
# The oracle is the parameter count of torchvision's ViT built at the case's sizes on the meta device;
# each catalogued mistake is that count less the tensors of torchvision's model that a count forgets,
# chosen by name: no formula of the answer is written here.

COUNT_TOL = Tolerance(0.0, 0.0)


def count_inputs(
    image_size: int = 28,
    patch_size: int = 4,
    in_channels: int = 1,
    num_classes: int = 10,
    dim: int = 64,
    depth: int = 4,
    num_heads: int = 4,
    mlp_ratio: float = 2.0,
) -> Callable[[], Inputs]:
    sizes = dict(
        image_size=image_size,
        patch_size=patch_size,
        in_channels=in_channels,
        num_classes=num_classes,
        dim=dim,
        depth=depth,
        num_heads=num_heads,
        mlp_ratio=mlp_ratio,
        dropout=0.0,
        pool="cls",
    )
    return lambda: dict(sizes)


def _count_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"count": torch.tensor(float(parameter_count(inputs)), dtype=torch.float64)}


def _numel(inputs: Inputs, chosen: Callable[[str], bool]) -> int:
    """How many of torchvision's parameters at the case's sizes have a name that ``chosen`` picks."""
    return sum(torch.Size(s).numel() for name, s in expected_shapes(inputs).items() if chosen(name))


def _is_layer_norm(name: str) -> bool:
    return bool(re.search(r"(^|\.)ln(_\d)?\.", name))


def _later_block(name: str) -> bool:
    found = re.match(r"encoder\.layers\.encoder_layer_(\d+)\.", name)
    return bool(found) and int(found.group(1)) > 0


#: name of the mistake -> (what a count that makes it leaves out of torchvision's model, the fix)
OMISSIONS: dict[str, tuple[Callable[[str], bool], str]] = {
    "the biases are not counted": (
        lambda n: n.endswith("bias") and not _is_layer_norm(n),
        "every nn.Linear and the patch embedding's Conv2d have a bias (one number per output "
        "feature) besides their weight: the attention's in and out projections, both MLP layers, "
        "the head and the patch embedding.",
    ),
    "the LayerNorms' parameters are not counted": (
        _is_layer_norm,
        "nn.LayerNorm(D) learns a weight and a bias of D numbers each: two LayerNorms per block, "
        "plus the final one.",
    ),
    "the final LayerNorm is not counted": (
        lambda n: n.startswith("encoder.ln."),
        "self.norm, after the last block, has its own weight and bias (2 D numbers).",
    ),
    "the class token is not counted": (
        lambda n: n == "class_token",
        "self.cls_token is a learned (1, 1, D) parameter: D numbers.",
    ),
    "the positional embedding is not counted": (
        lambda n: n == "encoder.pos_embedding",
        "self.pos_embed is a learned (1, N + 1, D) parameter.",
    ),
    "the head is not counted": (
        lambda n: n.startswith("heads."),
        "self.head = nn.Linear(D, num_classes): a weight and a bias.",
    ),
    "the attention's output projection is not counted": (
        lambda n: "out_proj" in n,
        "multi-head attention has four D x D maps, not three: q, k, v and the output projection "
        "that mixes the heads (each with its bias).",
    ),
    "the attention's input projection has no bias in the count": (
        lambda n: n.endswith("in_proj_bias"),
        "q, k and v each have a bias of D numbers: the fused input projection nn.Linear(D, 3 D) keeps "
        "its bias, 3 D numbers per block.",
    ),
    "only one block is counted": (
        _later_block,
        "the encoder has depth blocks, each with its own parameters: multiply one block's count by depth.",
    ),
}
#: a mistake that a count by name cannot tell from another: the same number of parameters forgotten
CLASS_ROW = "the positional embedding has N rows, not N + 1 (no row for the class token)"
BUILT_A_MODEL = "the count is read off a model built in the function, not computed from the configuration"


def _omitting(name: str) -> Callable[[Inputs, Outcome], Tensors | None]:
    chosen = OMISSIONS[name][0]

    def produce(inputs: Inputs, _: Outcome) -> Tensors | None:
        left_out = _numel(inputs, chosen)
        if left_out == 0:
            return None
        return {"count": torch.tensor(float(parameter_count(inputs) - left_out), dtype=torch.float64)}

    return produce


def _without_class_row(inputs: Inputs, _: Outcome) -> Tensors:
    """The (N + 1, D) positions counted as N rows: D numbers short. The class token itself is D
    numbers too, so one mistake names both."""
    row = expected_shapes(inputs)["encoder.pos_embedding"][-1]
    return {"count": torch.tensor(float(parameter_count(inputs) - row), dtype=torch.float64)}


def _sides(inputs: Inputs) -> tuple[int, int]:
    side = int(inputs["image_size"]) // int(inputs["patch_size"])
    return side, side * side


def _patches_per_row(inputs: Inputs, _: Outcome) -> Tensors:
    """N taken as the patches along one side: the positional embedding short of N - side rows."""
    side, n = _sides(inputs)
    rows = (n - side) * int(inputs["dim"])
    return {"count": torch.tensor(float(parameter_count(inputs) - rows), dtype=torch.float64)}


def _per_head_maps(inputs: Inputs, _: Outcome) -> Tensors | None:
    """Every head given its own D x D query, key and value maps (with biases)."""
    heads, dim, depth = int(inputs["num_heads"]), int(inputs["dim"]), int(inputs["depth"])
    if heads == 1:
        return None
    extra = depth * 3 * (heads - 1) * (dim * dim + dim)
    return {"count": torch.tensor(float(parameter_count(inputs) + extra), dtype=torch.float64)}


PATCHES_PER_ROW = "N counted as the patches along one side, not (image_size / patch_size) squared"
PER_HEAD_MAPS = "each head counted with its own D x D query, key and value maps"
TWO_PARTS = "two parts of the model are not counted"

COUNT_MISTAKES = [
    Mistake(
        PATCHES_PER_ROW,
        "the image is cut into an h x w grid: N = (image_size // patch_size) ** 2 patches, so the "
        "positional embedding has N + 1 rows.",
        _patches_per_row,
    ),
    Mistake(
        PER_HEAD_MAPS,
        "the heads split D, they do not multiply it: q, k and v are each one D x D map (with a bias), "
        "cut into num_heads slices of D / num_heads, whatever num_heads is.",
        _per_head_maps,
    ),
    *(
        Mistake(name, fix, _omitting(name))
        for name, (_, fix) in OMISSIONS.items()
        if name != "the class token is not counted"
    ),
    Mistake(
        "the class token, or its row of the positional embedding, is not counted",
        "count self.cls_token (1, 1, D) and all N + 1 rows of self.pos_embed (1, N + 1, D): the "
        "class token has its own position, row 0.",
        _without_class_row,
    ),
]


def _short_by(inputs: Inputs, difference: int) -> str:
    """The two parts of OMISSIONS whose parameters add up to ``difference``, in words ("" if none)."""
    if difference <= 0:
        return ""
    sizes = {name: _numel(inputs, chosen) for name, (chosen, _) in OMISSIONS.items()}
    parts = [
        (name.removesuffix(" is not counted").removesuffix(" are not counted"), size)
        for name, size in sizes.items()
    ]
    for i, (first, a) in enumerate(parts):
        for second, b in parts[i + 1 :]:
            if a and b and a + b == difference:
                return f"That is exactly what {first} and {second} hold together: are both counted?"
    return ""


def judge_count(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    """An integer, computed without building a model, equal to torchvision's count at these sizes."""
    needs(outcome, "count", "integer", "modules")
    if int(outcome.tensors["modules"]) > 0:
        return _named(
            check,
            BUILT_A_MODEL,
            "compute the count from the sizes (dim, depth, mlp_ratio, ...) with arithmetic: the "
            "exercise is the formula, and the check compares it with a model's real count itself.",
            f"{int(outcome.tensors['modules'])} nn.Module(s) were built while your function ran",
        )
    got = outcome.tensors["count"].double()
    if got.numel() != 1 or not bool(outcome.tensors["integer"]) or got.isnan().any():
        shown = messages.number(got.flatten()[0].item()) if got.numel() else "nothing"
        return Verdict(
            False,
            check,
            f"vit_parameter_count returned {shown}: it should return the count, a whole number "
            "(a Python int).",
        )
    expected = _count_oracle(inputs, outcome)
    want, have = int(expected["count"]), int(got.item())
    if want == have:
        return Verdict(True, check)
    for mistake in COUNT_MISTAKES:
        produced = mistake.produce(inputs, outcome)
        if produced is not None and matches(produced, {"count": got}, COUNT_TOL):
            return _named(check, mistake.name, mistake.fix, f"your formula gives {have:,}, {have - want:+,}")
    gap = f"torchvision's ViT at these sizes has {want:,} parameters; your formula gives {have:,}"
    gap += f" ({have - want:+,})"
    two = _short_by(inputs, want - have)
    if two:
        return _named(check, TWO_PARTS, two, gap)
    return Verdict(False, check, f"{gap}.")


def count_case(name: str, **sizes) -> Case:
    return Case(name, count_inputs(**sizes), judge=judge_count)


COUNT = Exercise(
    "test_parameter_count",
    "vit_parameter_count",
    ("vit_parameter_count",),
    calls.parameter_count,
    _count_oracle,
    COUNT_MISTAKES,
    COUNT_TOL,
    public=[
        count_case("the notebook's small ViT (28x28, 4x4 patches, D=64, 4 blocks, 10 classes)"),
        count_case(
            "ViT-B/16 (224x224 RGB, D=768, 12 blocks, 12 heads, 1000 classes)",
            image_size=224,
            patch_size=16,
            in_channels=3,
            num_classes=1000,
            dim=768,
            depth=12,
            num_heads=12,
            mlp_ratio=4.0,
        ),
    ],
    structural=[BUILT_A_MODEL, TWO_PARTS],
)

EXERCISES = [VIT, VIT_MEAN, COUNT]
