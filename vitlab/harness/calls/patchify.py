"""Calls for notebook 1 (patchify): how the checks call ``patchify``, ``unpatchify``,
``PatchEmbedding`` and ``patch_embedding_as_conv``. No expected values here."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.harness import scratch
from vitlab.harness.wire import Inputs, Tensors

#: built-ins a from-scratch patchify/unpatchify may not call (the run-time half of the check)
FORBIDDEN = scratch.forbidden_table([
    (F.unfold, "F.unfold / nn.Unfold"),
    (F.fold, "F.fold / nn.Fold"),
    (F.conv2d, "F.conv2d / nn.Conv2d"),
    (torch.conv2d, "F.conv2d / nn.Conv2d"),
    (torch.Tensor.unfold, "Tensor.unfold"),
    (torch.Tensor.as_strided, "Tensor.as_strided"),
    (torch.as_strided, "Tensor.as_strided"),
    (scratch.private("_C._nn.im2col"), "torch._C._nn.im2col"),
    (scratch.private("_C._nn.col2im"), "torch._C._nn.col2im"),
])
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
        raise AttributeError("PatchEmbedding needs its linear layer stored as self.proj = nn.Linear(C * P * P, D)")
    if proj.bias is None:
        raise AttributeError("self.proj has no bias: keep nn.Linear's default bias=True")
    return proj


def patch_embedding(objects: dict, inputs: Inputs) -> Tensors:
    torch.manual_seed(inputs["seed"])
    module = objects["PatchEmbedding"](inputs["in_channels"], inputs["patch_size"], inputs["dim"])
    proj = linear_of(module)
    return {"tokens": module(inputs["images"]), "weight": proj.weight, "bias": proj.bias}


def parameter_count(objects: dict, inputs: Inputs) -> Tensors:
    module = objects["PatchEmbedding"](inputs["in_channels"], inputs["patch_size"], inputs["dim"])
    return {"count": torch.tensor(sum(p.numel() for p in module.parameters()))}


def as_conv(objects: dict, inputs: Inputs) -> Tensors:
    to_conv, cls = objects["patch_embedding_as_conv"], objects["PatchEmbedding"]
    torch.manual_seed(inputs["seed"])
    embedding = cls(inputs["in_channels"], inputs["patch_size"], inputs["dim"])
    proj = linear_of(embedding)
    before = proj.weight.detach().clone()
    conv = to_conv(embedding)
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"patch_embedding_as_conv should return an nn.Conv2d, not {type(conv).__name__}")
    conv_bias = conv.bias if conv.bias is not None else torch.zeros(conv.out_channels)
    shared = int(conv.weight.untyped_storage().data_ptr() == proj.weight.untyped_storage().data_ptr())
    feature_map = conv(inputs["images"])
    return {"feature_map": feature_map, "weight": before, "bias": proj.bias, "conv_bias": conv_bias,
            "shares_storage": torch.tensor(shared), "conv_weight_shape": torch.tensor(tuple(conv.weight.shape))}
