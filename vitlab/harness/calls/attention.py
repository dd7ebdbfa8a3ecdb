"""Calls for notebook 3 (attention): how the checks call ``scaled_dot_product_attention`` and
``MultiHeadSelfAttention``. No expected values here.

Letters used in shape comments: B batch, H heads, N tokens (Nq queries, Nk keys), D model width,
d = D / H the width of one head, dv the width of the values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.harness import scratch
from vitlab.harness.wire import Inputs, Tensors

#: private kernels that compute attention in one call (torch.* and torch.ops.aten.* spellings)
PRIVATE_KERNELS = (
    "_scaled_dot_product_attention_math",
    "_scaled_dot_product_flash_attention",
    "_scaled_dot_product_flash_attention_for_cpu",
    "_scaled_dot_product_efficient_attention",
    "_scaled_dot_product_cudnn_attention",
    "_scaled_dot_product_fused_attention_overrideable",
    "_native_multi_head_attention",
    "_triton_scaled_dot_attention",
    "_triton_multi_head_attention",
    "_flash_attention_forward",
    "_efficient_attention_forward",
)


def _aten(names: Iterable[str]) -> list[tuple[Any, str]]:
    """The built-ins behind ``torch.ops.aten.<name>`` and its overloads (what the profiler sees)."""
    found: list[tuple[Any, str]] = []
    for name in names:
        try:
            packet = getattr(torch.ops.aten, name)
            overloads = [getattr(packet, o) for o in packet.overloads()]
        except (AttributeError, RuntimeError):
            continue
        found += [(getattr(op, "_op", None), f"torch.ops.aten.{name}") for op in (packet, *overloads)]
    return found


#: built-ins a from-scratch attention may not call (the run-time half of the check)
FORBIDDEN = scratch.forbidden_table(
    [
        (F.scaled_dot_product_attention, "F.scaled_dot_product_attention"),
        (F.multi_head_attention_forward, "nn.MultiheadAttention"),
        (nn.MultiheadAttention.forward, "nn.MultiheadAttention"),
        *[(scratch.private(name), f"torch.{name}") for name in PRIVATE_KERNELS],
        *_aten(("scaled_dot_product_attention", *PRIVATE_KERNELS)),
    ]
)
LABELS = tuple(dict.fromkeys(FORBIDDEN.values()))


# --------------------------------------------------------------------------------------------------
# Shared pieces


def _pair(result: Any, who: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The (output, weights) pair the exercise returns, or a TypeError saying what came back."""
    if not isinstance(result, tuple | list) or len(result) != 2:
        what = f"a {type(result).__name__}" + (
            f" of length {len(result)}" if isinstance(result, tuple | list) else ""
        )
        raise TypeError(f"{who} should return a pair (output, weights), but it returned {what}")
    for name, value in zip(("output", "weights"), result, strict=True):
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{who} should return two tensors (output, weights), but its {name} is a "
                f"{type(value).__name__}"
            )
    return result[0], result[1]


def _backward(out: torch.Tensor, grad_out: torch.Tensor, leaves: dict[str, torch.Tensor]) -> Tensors:
    """Gradients of sum(out * grad_out) for the leaves; none when the output's shape is wrong (the judge
    reports the shape), zeros where no gradient reached a leaf; ``graph``: whether out had a graph."""
    if tuple(out.shape) != tuple(grad_out.shape) or not out.is_floating_point():
        return {}
    if out.grad_fn is None and not out.requires_grad:
        return {"graph": torch.tensor(0), **{k: torch.zeros_like(v) for k, v in leaves.items()}}
    (out * grad_out.to(out.dtype)).sum().backward()
    grads = {k: v.grad if v.grad is not None else torch.zeros_like(v) for k, v in leaves.items()}
    return {"graph": torch.tensor(1), **grads}


def _leaf(t: torch.Tensor) -> torch.Tensor:
    return t.clone().requires_grad_(True)


# --------------------------------------------------------------------------------------------------
# Exercise 1: scaled_dot_product_attention


def _attend(
    fn: Callable, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None
) -> Any:
    return fn(q, k, v) if mask is None else fn(q, k, v, mask)


def sdpa(objects: dict, inputs: Inputs) -> Tensors:
    """Values and gradients of the student's attention on (q, k, v[, mask])."""
    q, k, v = _leaf(inputs["q"]), _leaf(inputs["k"]), _leaf(inputs["v"])
    out, weights = _pair(
        _attend(objects["scaled_dot_product_attention"], q, k, v, inputs.get("mask")),
        "scaled_dot_product_attention",
    )
    grads = _backward(out, inputs["grad_out"], {"grad_q": q, "grad_k": k, "grad_v": v})
    return {"output": out, "weights": weights, **grads}


def sdpa_shuffled(objects: dict, inputs: Inputs) -> Tensors:
    """The same query against keys and values shuffled together (``perm``)."""
    fn = objects["scaled_dot_product_attention"]
    q, k, v, perm = inputs["q"], inputs["k"], inputs["v"], inputs["perm"]
    out, weights = _pair(fn(q, k, v), "scaled_dot_product_attention")
    out_p, weights_p = _pair(fn(q, k[..., perm, :], v[..., perm, :]), "scaled_dot_product_attention")
    return {"output": out, "weights": weights, "output_p": out_p, "weights_p": weights_p}


def sdpa_scratch(objects: dict, inputs: Inputs) -> Tensors:
    fn = objects["scaled_dot_product_attention"]
    runs = ((fn, (q, k, v, mask)) for q, k, v, mask in inputs["runs"])
    return scratch.across_sizes(runs, LABELS, FORBIDDEN)


# --------------------------------------------------------------------------------------------------
# Exercise 2: MultiHeadSelfAttention


def linears_of(module: nn.Module, dim: int) -> tuple[nn.Linear, nn.Linear]:
    qkv, proj = getattr(module, "qkv", None), getattr(module, "proj", None)
    if not isinstance(qkv, nn.Linear) or not isinstance(proj, nn.Linear):
        raise AttributeError(
            "MultiHeadSelfAttention needs self.qkv = nn.Linear(dim, 3 * dim) and "
            "self.proj = nn.Linear(dim, dim)"
        )
    if qkv.bias is None or proj.bias is None:
        raise AttributeError("keep nn.Linear's default bias=True in self.qkv and self.proj")
    if tuple(qkv.weight.shape) != (3 * dim, dim) or tuple(proj.weight.shape) != (dim, dim):
        raise AttributeError(
            f"for dim={dim}: self.qkv should be nn.Linear({dim}, {3 * dim}) and self.proj "
            f"nn.Linear({dim}, {dim}); their weights are {tuple(qkv.weight.shape)} and "
            f"{tuple(proj.weight.shape)}"
        )
    return qkv, proj


def _module(objects: dict, inputs: Inputs) -> nn.Module:
    torch.manual_seed(inputs.get("seed", 0))
    module = objects["MultiHeadSelfAttention"](inputs["dim"], inputs["heads"])
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"MultiHeadSelfAttention(dim, num_heads) should build an nn.Module, not a {type(module).__name__}"
        )
    return module.to(inputs.get("dtype", torch.float32))


def msa(objects: dict, inputs: Inputs) -> Tensors:
    """Values, gradients and weights of the student's module (built with ``seed``, cast to ``dtype``)."""
    module = _module(objects, inputs)
    qkv, proj = linears_of(module, inputs["dim"])
    x = _leaf(inputs["x"])
    out, weights = _pair(module(x), "forward")
    grads = _backward(
        out, inputs["grad_out"], {"grad_x": x, "grad_qkv": qkv.weight, "grad_proj": proj.weight}
    )
    return {
        "output": out,
        "weights": weights,
        **grads,
        "qkv_weight": qkv.weight,
        "qkv_bias": qkv.bias,
        "proj_weight": proj.weight,
        "proj_bias": proj.bias,
    }


def _text(value: str, limit: int = 60) -> torch.Tensor:
    """A short string as UTF-8 bytes (outputs are tensors only)."""
    return torch.tensor(list(value.encode()[:limit]), dtype=torch.uint8)


def msa_parameters(objects: dict, inputs: Inputs) -> Tensors:
    """How many parameters the module holds, and the names of those outside self.qkv and self.proj."""
    module = _module(objects, inputs)
    named = list(module.named_parameters())
    extra = [name for name, _ in named if not name.startswith(("qkv.", "proj."))]
    found: Tensors = {
        "count": torch.tensor(sum(p.numel() for _, p in named)),
        "extra_count": torch.tensor(len(extra)),
    }
    found.update({f"extra_{i}": _text(name) for i, name in enumerate(extra[:3])})
    return found


def msa_shuffled(objects: dict, inputs: Inputs) -> Tensors:
    """The module on tokens x and on the same tokens shuffled (``perm``)."""
    module = _module(objects, inputs)
    x, perm = inputs["x"], inputs["perm"]
    out, _ = _pair(module(x), "forward")
    out_p, _ = _pair(module(x[:, perm]), "forward")
    return {"output": out, "output_p": out_p}


def msa_scratch(objects: dict, inputs: Inputs) -> Tensors:
    """The forward pass watched at several sizes (modules built before watching)."""
    modules = [_module(objects, {"dim": x.shape[-1], "heads": heads}) for x, heads in inputs["runs"]]
    runs = ((module, (x,)) for module, (x, _) in zip(modules, inputs["runs"], strict=True))
    return scratch.across_sizes(runs, LABELS, FORBIDDEN)
