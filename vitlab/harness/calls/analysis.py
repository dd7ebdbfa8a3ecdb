"""Calls for notebook 8 (analysis): how the checks call ``attention_maps``, ``attention_rollout``,
``mean_attention_distance`` and ``resize_pos_embed``. No expected values here.

``attention_maps`` is called on a small course ViT built here from the inputs (a seed and a
configuration). Before the student's function runs, one plain forward pass of our own, in eval
mode, records what each block's attention layer received (the output of ``ln_1``) and what the
block received; with the layers' packed projection weights, that is all the verdict needs to
recompute every map outside. The call also hands back what must not change: the model's mode, its
hooks and its outputs.
"""

from __future__ import annotations

import torch
from torch import nn

from vitlab.harness import scratch
from vitlab.harness.wire import Inputs, Tensors
from vitlab.models import ViT, ViTConfig

# --------------------------------------------------------------------------------------------------
# A small course ViT with sharp attention


def build_model(inputs: Inputs) -> ViT:
    """The course ViT for ``inputs["config"]``, seeded; its attention made sharper than at initialisation
    (random projections give nearly uniform maps, on which many wrong answers look right)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(inputs["seed"])
        model = ViT(ViTConfig(**inputs["config"]))
        with torch.no_grad():
            for layer in model.encoder.layers:
                layer.self_attention.in_proj_weight.mul_(inputs.get("sharpen", 3.0))
            model.encoder.pos_embedding.normal_(0.0, 0.5)
    if inputs.get("float64"):
        model = model.double()
    return model.train(inputs["training"])


def hook_count(model: nn.Module) -> int:
    """Hooks on the model's modules, forward methods replaced on them, and global module hooks."""
    count = 0
    for module in model.modules():
        count += len(module._forward_hooks) + len(module._forward_pre_hooks)
        count += len(module._backward_hooks) + len(getattr(module, "_backward_pre_hooks", {}))
        count += int("forward" in vars(module))
    glob = nn.modules.module
    for name in ("_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks"):
        count += len(getattr(glob, name, {}))
    return count


def layer_inputs(model: ViT, images: torch.Tensor) -> dict[str, torch.Tensor]:
    """One forward pass in eval mode: every block's input and its ``ln_1`` output, (L, B, T, D) each;
    the logits; the model's mode and hooks are left as they were."""
    blocks, normed, handles = [], [], []
    was_training = model.training
    model.eval()
    try:
        for layer in model.encoder.layers:
            handles.append(layer.register_forward_pre_hook(lambda m, args: blocks.append(args[0].detach())))
            handles.append(layer.ln_1.register_forward_hook(lambda m, args, out: normed.append(out.detach())))
        with torch.no_grad():
            logits = model(images)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return {"block_inputs": torch.stack(blocks), "ln_inputs": torch.stack(normed), "logits": logits}


def logits_of(model: ViT, images: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(images)
    finally:
        model.train(was_training)


def one_tensor(value: object, name: str, what: str) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, list | tuple) and value and all(isinstance(v, torch.Tensor) for v in value):
        raise TypeError(
            f"{name} should return one tensor {what}, not a {type(value).__name__} of "
            f"{len(value)} tensors: stack them with torch.stack(...)"
        )
    raise TypeError(f"{name} should return a torch.Tensor {what}, not a {type(value).__name__}")


# --------------------------------------------------------------------------------------------------
# Exercise 1: attention_maps(model, images)


def attention_maps(objects: dict, inputs: Inputs) -> Tensors:
    """The student's maps (second of two calls), and what the verdict needs to recompute them."""
    fn = objects["attention_maps"]
    model = build_model(inputs)
    images = inputs["images"].to(torch.float64 if inputs.get("float64") else torch.float32)
    seen = layer_inputs(model, images)
    training_before, hooks_before = model.training, hook_count(model)
    modules_before = [id(m) for m in model.modules()]
    fn(model, inputs["first_images"].to(images.dtype))  # a first call: maps kept between calls show
    maps = one_tensor(fn(model, images), "attention_maps", "(L, B, nh, T, T)")
    training_after, hooks_after = model.training, hook_count(model)
    same_modules = [id(m) for m in model.modules()] == modules_before
    attention = [layer.self_attention for layer in model.encoder.layers]
    return {
        "maps": maps,
        "ln_inputs": seen["ln_inputs"],  # (L, B, T, D)
        "block_inputs": seen["block_inputs"],  # (L, B, T, D)
        "in_proj_weight": torch.stack([a.in_proj_weight.detach() for a in attention]),  # (L, 3D, D)
        "in_proj_bias": torch.stack([a.in_proj_bias.detach() for a in attention]),  # (L, 3D)
        "logits_before": seen["logits"],
        "logits_after": logits_of(model, images),
        "training_before": torch.tensor(int(training_before)),
        "training_after": torch.tensor(int(training_after)),
        "hooks_before": torch.tensor(hooks_before),
        "hooks_after": torch.tensor(hooks_after),
        "same_modules": torch.tensor(int(same_modules)),
    }


# --------------------------------------------------------------------------------------------------
# Exercises 2 and 3: functions of the maps


def _unchanged(before: torch.Tensor, after: torch.Tensor) -> torch.Tensor:
    return torch.tensor(int(before.shape == after.shape and torch.equal(before, after)))


def attention_rollout(objects: dict, inputs: Inputs) -> Tensors:
    maps = inputs["maps"]
    copy = maps.clone()
    out = one_tensor(objects["attention_rollout"](maps), "attention_rollout", "(B, T, T)")
    return {"rollout": out, "maps_unchanged": _unchanged(copy, maps)}


def rollout_scratch(objects: dict, inputs: Inputs) -> Tensors:
    fn = objects["attention_rollout"]
    return scratch.across_sizes(((fn, (maps,)) for maps in inputs["runs"]), (), {})


def mean_attention_distance(objects: dict, inputs: Inputs) -> Tensors:
    maps = inputs["maps"]
    copy = maps.clone()
    fn = objects["mean_attention_distance"]
    out = one_tensor(fn(maps, inputs["grid"], inputs["patch_size"]), "mean_attention_distance", "(L, nh)")
    return {"distances": out, "maps_unchanged": _unchanged(copy, maps)}


def distance_scratch(objects: dict, inputs: Inputs) -> Tensors:
    fn = objects["mean_attention_distance"]
    return scratch.across_sizes(((fn, (maps, grid, P)) for maps, grid, P in inputs["runs"]), (), {})


# --------------------------------------------------------------------------------------------------
# Exercise 4: resize_pos_embed(pos_embed, old_grid, new_grid, class_token)


def resize_pos_embed(objects: dict, inputs: Inputs) -> Tensors:
    pos = inputs["pos_embed"]
    copy = pos.clone()
    fn = objects["resize_pos_embed"]
    args = (pos, inputs["old_grid"], inputs["new_grid"])
    out = fn(*args) if inputs["class_token"] is None else fn(*args, class_token=inputs["class_token"])
    out = one_tensor(out, "resize_pos_embed", "(1, T', D)")
    return {"pos_embed": out, "input_unchanged": _unchanged(copy, pos)}
