"""Calls for notebook 5 (the full ViT): how the checks call ``VisionTransformer`` and
``vit_parameter_count``.

Letters used in shape comments: B batch, C channels, H = W image side, P patch side, N patches,
D model width, K classes.

The student's parameters travel under the names of ``torchvision.models.VisionTransformer``'s state
dict (``p:<name>``), so that the verdicts, computed outside, can load them into torchvision's model.
What each stage of the student's forward handed to the next (the tokens entering the first block,
those leaving the last one, the head's input) travels too (``stage:<name>``), so that a wrong answer
can be told where it goes wrong. Nothing here knows what the right output is.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from vitlab.harness.wire import Inputs, Tensors

#: the constructor's arguments, in the order of the notebook's signature
SIZE_ARGS = (
    "image_size",
    "patch_size",
    "in_channels",
    "num_classes",
    "dim",
    "depth",
    "num_heads",
    "mlp_ratio",
    "dropout",
    "pool",
)
#: the parameters whose gradients are compared (torchvision's names)
GRAD_NAMES = ("class_token", "encoder.pos_embedding", "conv_proj.weight", "heads.head.weight")
#: the arguments of vit_parameter_count: the constructor's, less dropout and pool (they add no parameter)
COUNT_ARGS = SIZE_ARGS[:8]

# --------------------------------------------------------------------------------------------------
# The student's attributes under torchvision's names


def _block_names(block: nn.Module, index: int) -> dict[str, str]:
    """torchvision EncoderBlock name -> name inside the student's block (built-in layer or notebook 4's)."""
    if isinstance(block, nn.TransformerEncoderLayer):
        attn, norm1, norm2, fc1, fc2 = "self_attn", "norm1", "norm2", "linear1", "linear2"
    elif all(isinstance(getattr(block, a, None), nn.Module) for a in ("norm1", "attn", "norm2", "mlp")):
        attn, norm1, norm2, fc1, fc2 = "attn", "norm1", "norm2", "mlp.fc1", "mlp.fc2"
    else:
        raise AttributeError(
            f"self.blocks[{index}] is a {type(block).__name__}: each block should come from "
            "make_block(dim, num_heads, mlp_ratio, dropout) (or be notebook 4's EncoderBlock, "
            "with norm1, attn, norm2 and mlp)"
        )
    names = {"ln_1": norm1, "ln_2": norm2, "mlp.0": fc1, "mlp.3": fc2}
    mapping = {f"{tv}.{kind}": f"{mine}.{kind}" for tv, mine in names.items() for kind in ("weight", "bias")}
    if isinstance(
        getattr(_lookup(block, attn), "qkv", None), nn.Linear
    ):  # notebook 3's MultiHeadSelfAttention
        mapping.update(
            {
                "self_attention.in_proj_weight": f"{attn}.qkv.weight",
                "self_attention.in_proj_bias": f"{attn}.qkv.bias",
                "self_attention.out_proj.weight": f"{attn}.proj.weight",
                "self_attention.out_proj.bias": f"{attn}.proj.bias",
            }
        )
    else:
        mapping.update(
            {
                f"self_attention.{k}": f"{attn}.{k}"
                for k in ("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")
            }
        )
    return mapping


def blocks_of(model: nn.Module) -> list[nn.Module]:
    blocks = getattr(model, "blocks", None)
    if not isinstance(blocks, nn.Sequential | nn.ModuleList):
        raise AttributeError(
            "VisionTransformer needs self.blocks = nn.Sequential(...) (or nn.ModuleList) of the "
            "depth blocks from make_block"
        )
    return list(blocks)


def name_map(model: nn.Module) -> dict[str, str]:
    """torchvision name -> the student's dotted name, for every parameter of the ViT.

    A missing ``self.norm`` is left out (the verdict then says which parameters are missing).
    """
    kinds = {
        "patch_embed": nn.Conv2d,
        "cls_token": torch.Tensor,
        "pos_embed": torch.Tensor,
        "head": nn.Linear,
    }
    for name, kind in kinds.items():
        if not isinstance(getattr(model, name, None), kind):
            what = {
                "patch_embed": "nn.Conv2d(in_channels, dim, kernel_size=P, stride=P)",
                "cls_token": "nn.Parameter of shape (1, 1, dim)",
                "pos_embed": "nn.Parameter of shape (1, N + 1, dim)",
                "head": "nn.Linear(dim, num_classes)",
            }[name]
            raise AttributeError(
                f"VisionTransformer needs self.{name} = {what} (the exercise's table of "
                "attributes); it is missing or of another type"
            )
    mapping = {
        "conv_proj.weight": "patch_embed.weight",
        "conv_proj.bias": "patch_embed.bias",
        "class_token": "cls_token",
        "encoder.pos_embedding": "pos_embed",
        "heads.head.weight": "head.weight",
        "heads.head.bias": "head.bias",
    }
    if isinstance(getattr(model, "norm", None), nn.LayerNorm):
        mapping.update({"encoder.ln.weight": "norm.weight", "encoder.ln.bias": "norm.bias"})
    for i, block in enumerate(blocks_of(model)):
        for tv, mine in _block_names(block, i).items():
            mapping[f"encoder.layers.encoder_layer_{i}.{tv}"] = f"blocks.{i}.{mine}"
    return mapping


def _lookup(model: nn.Module, dotted: str) -> Any:
    value: Any = model
    for part in dotted.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part, None)
        if value is None:
            return None
    return value


def vit_params(model: nn.Module) -> dict[str, torch.Tensor]:
    """The student's parameters (live tensors) under torchvision's names; absent ones (a bias=False)
    left out."""
    found = {tv: _lookup(model, mine) for tv, mine in name_map(model).items()}
    return {tv: value for tv, value in found.items() if isinstance(value, torch.Tensor)}


def randomise(params: Mapping[str, torch.Tensor], seed: int, scale: float = 0.2) -> None:
    """Add seeded noise to every parameter, so that LayerNorms (ones and zeros at first) and the class
    token (zeros) differ from their defaults and every part of the model shows in the outputs."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for value in params.values():
            if value.is_floating_point():
                value.add_(scale * torch.randn(value.shape, generator=generator, dtype=value.dtype))


def config(inputs: Inputs) -> dict[str, Any]:
    return {k: inputs[k] for k in SIZE_ARGS if k in inputs}


def build(cls: type, inputs: Inputs) -> nn.Module:
    """The student's model, created under the case's seed without disturbing the global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(inputs["seed"])
        return cls(**config(inputs))


def returned(output: Any) -> Tensors:
    """What forward returned: ``{"logits": ...}``, or the items of a tuple or list (a wrong answer)."""
    if isinstance(output, torch.Tensor):
        return {"logits": output}
    if isinstance(output, tuple | list) and output and all(isinstance(t, torch.Tensor) for t in output):
        return {"returned": torch.tensor(len(output)), **{f"item{i}": t for i, t in enumerate(output)}}
    raise TypeError(
        f"VisionTransformer's forward returned a {type(output).__name__}; it should return the "
        "logits, one tensor of shape (B, num_classes)"
    )


# --------------------------------------------------------------------------------------------------
# What each stage hands to the next


@contextmanager
def stages(model: nn.Module) -> Iterator[Tensors]:
    """Record the tokens entering the first block, those leaving the last block and the head's input."""
    seen: Tensors = {}
    blocks = blocks_of(model)

    def first_call(key: str, value: Any) -> None:
        if isinstance(value, torch.Tensor) and key not in seen:
            seen[key] = value.detach().clone()

    def last_call(key: str, value: Any) -> None:
        if isinstance(value, torch.Tensor):
            seen[key] = value.detach().clone()

    handles = []
    if blocks:
        handles.append(
            blocks[0].register_forward_pre_hook(lambda m, args: first_call("stage:tokens", args[0]))
        )
        handles.append(blocks[-1].register_forward_hook(lambda m, args, out: last_call("stage:encoded", out)))
    handles.append(model.head.register_forward_pre_hook(lambda m, args: last_call("stage:pooled", args[0])))
    try:
        yield seen
    finally:
        for handle in handles:
            handle.remove()


# --------------------------------------------------------------------------------------------------
# VisionTransformer


def check_patch_embedding(model: nn.Module, P: int) -> None:
    """The patch embedding cuts P x P patches side by side (a Conv2d with kernel_size = stride = P)."""
    conv = model.patch_embed
    if conv.kernel_size != (P, P) or conv.stride != (P, P) or conv.padding not in ((0, 0), "valid"):
        raise ValueError(
            f"self.patch_embed has kernel_size={conv.kernel_size}, stride={conv.stride}, "
            f"padding={conv.padding}; with patch_size={P} it should be nn.Conv2d(in_channels, dim, "
            f"kernel_size={P}, stride={P}) (no padding): one step per patch, patches side by side"
        )


def vit(objects: dict, inputs: Inputs) -> Tensors:
    """Logits and gradients in eval mode with perturbed weights; the weights; the stages; a second call
    (is eval mode deterministic?) and the first image alone (does an image depend on the others?)."""
    model = build(objects["VisionTransformer"], inputs)
    name_map(model)
    check_patch_embedding(model, inputs["patch_size"])
    params = vit_params(model)
    randomise(params, inputs["seed"])
    model.eval()
    images = inputs["images"]  # (B, C, H, W)
    with stages(model) as seen:
        produced = returned(model(images))
    logits = produced.get("logits")  # (B, K)
    grads: Tensors = {}
    if logits is not None and logits.shape == inputs["grad"].shape and logits.is_floating_point():
        if logits.requires_grad:
            logits.backward(inputs["grad"].to(logits.dtype))
        grads = {
            "g:" + k: params[k].grad if params[k].grad is not None else torch.zeros_like(params[k])
            for k in GRAD_NAMES
            if k in params
        }
    extra: Tensors = {}
    if logits is not None:
        with torch.no_grad():
            extra["again"] = returned(model(images)).get("logits", torch.empty(0))
            if images.shape[0] > 1:
                extra["alone"] = returned(model(images[:1])).get("logits", torch.empty(0))
    blocks = blocks_of(model)
    counts = {
        "blocks": torch.tensor(len(blocks)),
        "distinct_blocks": torch.tensor(len({id(b) for b in blocks})),
    }
    return {**produced, **grads, **extra, **seen, **counts, **{"p:" + k: v for k, v in params.items()}}


def structure(objects: dict, inputs: Inputs) -> Tensors:
    """On the meta device: the parameter count, whether the class token and the positions are
    parameters, and how many distinct blocks there are."""
    with torch.device("meta"):
        model = objects["VisionTransformer"](**config(inputs))
    learnable = {id(p) for p in model.parameters()}
    flags = [int(id(getattr(model, name, None)) in learnable) for name in ("cls_token", "pos_embed")]
    blocks = list(getattr(model, "blocks", None) or [])
    return {
        "count": torch.tensor(sum(p.numel() for p in model.parameters())),
        "learnable": torch.tensor(flags),
        "blocks": torch.tensor(len(blocks)),
        "distinct_blocks": torch.tensor(len({id(b) for b in blocks})),
    }


def forward(objects: dict, inputs: Inputs) -> Tensors:
    """Build the model and run it once in eval mode (the cases of invalid arguments)."""
    model = build(objects["VisionTransformer"], inputs)
    with torch.no_grad():
        return returned(model.eval()(inputs["images"]))


def torchvision_weights(objects: dict, inputs: Inputs) -> Tensors:
    """torchvision's weights (``inputs["weights"]``) copied into the student's model: its logits."""
    model = build(objects["VisionTransformer"], inputs)
    weights = inputs["weights"]
    with torch.no_grad():
        for tv, value in vit_params(model).items():
            if tuple(value.shape) != tuple(weights[tv].shape):
                raise ValueError(
                    f"self.{name_map(model)[tv]} has shape {tuple(value.shape)}; torchvision's "
                    f"matching tensor has shape {tuple(weights[tv].shape)}"
                )
            value.copy_(weights[tv])
        return returned(model.eval()(inputs["images"]))


def dropout_modes(objects: dict, inputs: Inputs) -> Tensors:
    """Two calls in train mode and two in eval mode (with dropout > 0)."""
    model = build(objects["VisionTransformer"], inputs)
    images = inputs["images"]
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        train = [returned(model.train()(images)).get("logits") for _ in range(2)]
        evaluation = [returned(model.eval()(images)).get("logits") for _ in range(2)]
    if any(t is None for t in train + evaluation):
        raise TypeError(
            "VisionTransformer's forward should return the logits, one tensor of shape (B, num_classes)"
        )
    return {"train0": train[0], "train1": train[1], "eval0": evaluation[0], "eval1": evaluation[1]}


def seeded_train(objects: dict, inputs: Inputs) -> Tensors:
    """Logits in train mode under a fixed seed (the dropout masks), with perturbed weights; and in eval
    mode (``eval_logits``), to tell a dropout problem from any other."""
    model = build(objects["VisionTransformer"], inputs)
    params = vit_params(model)
    randomise(params, inputs["seed"])
    blocks = blocks_of(model)
    built_in = all(isinstance(b, nn.TransformerEncoderLayer) for b in blocks)
    rates = [b.dropout.p for b in blocks] if built_in else []  # each block's dropout probability
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        evaluation = returned(model.eval()(inputs["images"])).get("logits", torch.empty(0))
        torch.manual_seed(inputs["seed"])
        produced = returned(model.train()(inputs["images"]))
    return {
        **produced,
        "eval_logits": evaluation,
        "built_in_blocks": torch.tensor(int(built_in)),
        "block_dropout": torch.tensor(rates, dtype=torch.float64),
        **{"p:" + k: v for k, v in params.items()},
    }


def initial_values(objects: dict, inputs: Inputs) -> Tensors:
    """The class token and the positional embedding as the constructor leaves them."""
    model = build(objects["VisionTransformer"], inputs)
    values = {name: getattr(model, name, None) for name in ("cls_token", "pos_embed")}
    for name, value in values.items():
        if not isinstance(value, torch.Tensor):
            raise AttributeError(f"VisionTransformer needs self.{name} (an nn.Parameter)")
    return values


# --------------------------------------------------------------------------------------------------
# vit_parameter_count


@contextmanager
def modules_built() -> Iterator[list[str]]:
    """Record the class of every nn.Module constructed inside the block (a count read off a model)."""
    built: list[str] = []
    original = nn.Module.__init__

    def spy(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    nn.Module.__init__ = spy
    try:
        yield built
    finally:
        nn.Module.__init__ = original


def _number(value: Any) -> float:
    """A returned number as a float (a Python or NumPy number, a one-element tensor); NaN otherwise."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return math.nan
    return float(value)


def parameter_count(objects: dict, inputs: Inputs) -> Tensors:
    """``vit_parameter_count`` on the case's configuration.

    ``count`` (): the number returned, float64 (exact below 2**53; NaN when not a number);
    ``integer`` (): it is a whole number (an int, or a float such as 2.0); ``modules`` (): how many
    nn.Modules were built during the call.
    """
    sizes = {k: inputs[k] for k in COUNT_ARGS}
    with modules_built() as built:
        number = _number(objects["vit_parameter_count"](**sizes))
    return {
        "count": torch.tensor(number, dtype=torch.float64),
        "integer": torch.tensor(math.isfinite(number) and number.is_integer()),
        "modules": torch.tensor(len(built)),
    }
