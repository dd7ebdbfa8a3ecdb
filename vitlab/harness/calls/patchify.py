"""Calls for notebook 1 (patchify): how the checks call ``patchify``, ``unpatchify``,
``PatchEmbedding`` and ``patch_embedding_as_conv``. No expected values here."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.harness import scratch
from vitlab.harness.wire import Inputs, Tensors

#: built-ins a from-scratch patchify/unpatchify may not call (the run-time half of the check), by identity
FORBIDDEN = scratch.forbidden_table(
    [
        (F.unfold, "F.unfold / nn.Unfold"),
        (F.fold, "F.fold / nn.Fold"),
        (torch.Tensor.unfold, "Tensor.unfold"),
        (getattr(torch, "unfold_copy", None), "Tensor.unfold"),
        (torch.Tensor.as_strided, "Tensor.as_strided"),
        (torch.as_strided, "Tensor.as_strided"),
        (getattr(torch.Tensor, "as_strided_", None), "Tensor.as_strided"),
        (getattr(torch, "as_strided_copy", None), "Tensor.as_strided"),
        (getattr(torch, "as_strided_scatter", None), "Tensor.as_strided"),
        (getattr(torch.Tensor, "as_strided_scatter", None), "Tensor.as_strided"),
        (F.pixel_unshuffle, "F.pixel_unshuffle / F.pixel_shuffle"),
        (F.pixel_shuffle, "F.pixel_unshuffle / F.pixel_shuffle"),
        (F.conv1d, "a convolution"),
        (F.conv2d, "a convolution"),
        (torch.conv2d, "a convolution"),
        (F.conv3d, "a convolution"),
        (F.conv_transpose1d, "a convolution"),
        (F.conv_transpose2d, "a convolution"),
        (F.conv_transpose3d, "a convolution"),
        (getattr(torch, "convolution", None), "a convolution"),
        (getattr(torch, "_convolution", None), "a convolution"),
        (getattr(torch, "conv_tbc", None), "a convolution"),
        (scratch.private("_C._nn.im2col"), "torch._C._nn.im2col"),
        (scratch.private("_C._nn.col2im"), "torch._C._nn.col2im"),
        (scratch.private("ops.aten.im2col"), "torch.ops.aten.im2col"),
        (scratch.private("ops.aten.im2col.default"), "torch.ops.aten.im2col"),
        (scratch.private("ops.aten.im2col._op"), "torch.ops.aten.im2col"),
        (scratch.private("ops.aten.im2col.default._op"), "torch.ops.aten.im2col"),
        (scratch.private("ops.aten.col2im"), "torch.ops.aten.col2im"),
        (scratch.private("ops.aten.col2im.default"), "torch.ops.aten.col2im"),
        (scratch.private("ops.aten.col2im._op"), "torch.ops.aten.col2im"),
        (scratch.private("ops.aten.col2im.default._op"), "torch.ops.aten.col2im"),
    ]
)
LABELS = tuple(dict.fromkeys(FORBIDDEN.values()))


def patchify(objects: dict, inputs: Inputs) -> Tensors:
    return {"patches": objects["patchify"](inputs["images"], inputs["patch_size"])}


def unpatchify(objects: dict, inputs: Inputs) -> Tensors:
    fn = objects["unpatchify"]
    return {"images": fn(inputs["patches"], inputs["patch_size"], inputs["height"], inputs["width"])}


def patchify_on_meta(objects: dict, inputs: Inputs) -> Tensors:
    """patchify on a tensor of the meta device: the output's shape, and whether it stayed there."""
    out = objects["patchify"](torch.empty(inputs["shape"], device="meta"), inputs["patch_size"])
    return {"shape": torch.tensor(tuple(out.shape)), "on_meta": torch.tensor(int(out.device.type == "meta"))}


def unpatchify_on_meta(objects: dict, inputs: Inputs) -> Tensors:
    """unpatchify on patches of the meta device: the output's shape, and whether it stayed there."""
    P, H, W = inputs["patch_size"], inputs["height"], inputs["width"]
    out = objects["unpatchify"](torch.empty(inputs["shape"], device="meta"), P, H, W)
    return {"shape": torch.tensor(tuple(out.shape)), "on_meta": torch.tensor(int(out.device.type == "meta"))}


def _gradient(fn, x: torch.Tensor, weights: torch.Tensor) -> Tensors:
    """The gradient of sum(fn(x) * weights) with respect to x, if fn(x) is still attached to x."""
    x = x.detach().clone().requires_grad_(True)
    out = fn(x)
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"the output should be a torch.Tensor but is a {type(out).__name__}")
    if not out.requires_grad or tuple(out.shape) != tuple(weights.shape):
        return {"attached": torch.tensor(int(out.requires_grad)), "grad": torch.zeros(0)}
    (out * weights).sum().backward()
    grad = x.grad if x.grad is not None else torch.zeros(0)
    return {"attached": torch.tensor(1), "grad": grad}


def patchify_gradient(objects: dict, inputs: Inputs) -> Tensors:
    """Gradients flow back through patchify: d/d images of sum(patches * weights)."""
    return _gradient(
        lambda x: objects["patchify"](x, inputs["patch_size"]), inputs["images"], inputs["weights"]
    )


def unpatchify_gradient(objects: dict, inputs: Inputs) -> Tensors:
    """Gradients flow back through unpatchify: d/d patches of sum(images * weights)."""
    P, H, W = inputs["patch_size"], inputs["height"], inputs["width"]
    return _gradient(lambda x: objects["unpatchify"](x, P, H, W), inputs["patches"], inputs["weights"])


def patchify_scratch(objects: dict, inputs: Inputs) -> Tensors:
    fn = objects["patchify"]
    return scratch.across_sizes(((fn, (images, P)) for images, P in inputs["runs"]), LABELS, FORBIDDEN)


def unpatchify_scratch(objects: dict, inputs: Inputs) -> Tensors:
    fn = objects["unpatchify"]
    runs = ((fn, (patches, P, H, W)) for patches, P, H, W in inputs["runs"])
    return scratch.across_sizes(runs, LABELS, FORBIDDEN)


def linear_of(module: nn.Module) -> nn.Linear:
    proj = getattr(module, "proj", None)
    if not isinstance(proj, nn.Linear):
        raise AttributeError(
            "PatchEmbedding needs its linear layer stored as self.proj = nn.Linear(C * P * P, D)"
        )
    if proj.bias is None:
        raise AttributeError("self.proj has no bias: keep nn.Linear's default bias=True")
    return proj


def structure(module: nn.Module) -> Tensors:
    """What the text asks a PatchEmbedding to hold (self.proj = nn.Linear(C*P*P, D) with its bias, and
    self.patch_size), as found: the judge compares it with the exercise's C, P and D."""
    proj = getattr(module, "proj", None)
    is_linear = isinstance(proj, nn.Linear)
    stored = getattr(module, "patch_size", None)
    stored_int = isinstance(stored, int) and not isinstance(stored, bool)
    return {
        "has_proj": torch.tensor(int(is_linear)),
        "has_bias": torch.tensor(int(is_linear and proj.bias is not None)),
        "linear_size": torch.tensor([proj.in_features, proj.out_features] if is_linear else [-1, -1]),
        "stored_patch_size": torch.tensor(stored if stored_int else -1),
    }


def patch_embedding(objects: dict, inputs: Inputs) -> Tensors:
    C, P, D = inputs["in_channels"], inputs["patch_size"], inputs["dim"]
    torch.manual_seed(inputs["seed"])
    module = objects["PatchEmbedding"](C, P, D)
    found = structure(module)
    if not found["has_bias"].item() or found["linear_size"].tolist() != [C * P * P, D]:
        return found  # no layer to call, or one that cannot take the patches: the judge says which
    proj = module.proj
    return {**found, "tokens": module(inputs["images"]), "weight": proj.weight, "bias": proj.bias}


def parameter_count(objects: dict, inputs: Inputs) -> Tensors:
    module = objects["PatchEmbedding"](inputs["in_channels"], inputs["patch_size"], inputs["dim"])
    return {"count": torch.tensor(sum(p.numel() for p in module.parameters()))}


def _tokens_or_none(embedding: nn.Module, images: torch.Tensor) -> torch.Tensor | None:
    try:
        with torch.no_grad():
            out = embedding(images)
    except Exception:
        return None
    return out.detach().clone() if isinstance(out, torch.Tensor) else None


def as_conv(objects: dict, inputs: Inputs) -> Tensors:
    to_conv, cls = objects["patch_embedding_as_conv"], objects["PatchEmbedding"]
    torch.manual_seed(inputs["seed"])
    embedding = cls(inputs["in_channels"], inputs["patch_size"], inputs["dim"])
    proj = linear_of(embedding)
    weight, bias = proj.weight.detach().clone(), proj.bias.detach().clone()
    images = inputs["images"]
    before = _tokens_or_none(embedding, images)  # the embedding's own tokens, to see it is left unchanged
    conv = to_conv(embedding)
    if not isinstance(conv, nn.Conv2d):
        return {"is_conv": torch.tensor(0)}
    conv_bias = conv.bias if conv.bias is not None else torch.zeros(conv.out_channels)
    shared = int(conv.weight.untyped_storage().data_ptr() == proj.weight.untyped_storage().data_ptr())
    feature_map = conv(images)
    after = _tokens_or_none(embedding, images) if before is not None else None
    outputs = {
        "is_conv": torch.tensor(1),
        "feature_map": feature_map,
        "weight": weight,
        "bias": bias,
        "conv_bias": conv_bias,
        "shares_storage": torch.tensor(shared),
        "conv_weight_shape": torch.tensor(tuple(conv.weight.shape)),
    }
    if before is not None:
        outputs["tokens_before"] = before
        outputs["tokens_after"] = after if after is not None else torch.zeros(0)
    return outputs
