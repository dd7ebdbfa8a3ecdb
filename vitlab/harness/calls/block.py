"""Calls for notebook 4 (the encoder block): how the checks call ``layer_norm``, ``MLP`` and
``EncoderBlock``.

``layer_norm`` is called on leaves that require grad: the output and the gradients of
``sum(output * grad)`` come back (and, for some cases, its output for the same tokens shifted far
from zero).

The checker hands in the weights, under the names of ``nn.TransformerEncoderLayer`` (its oracle).
A call builds the student's module, finds the matching parameters by the names the notebook asks
for (``fc1``/``fc2``; ``norm1``, ``attn``, ``norm2``, ``mlp``), copies the weights in, runs the
module and hands back its outputs and gradients, the mode of every submodule, the dropout rates it
was built with. Nothing here knows what the right output is.

Letters in shape comments: B batch, N tokens, D model width, F hidden width of the MLP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.harness import scratch
from vitlab.harness.wire import Inputs, Tensors

#: how the student's attention and MLP hold their weights (reported as ``layout``, used for messages)
ATTENTION_LAYOUTS = ("nn.MultiheadAttention", "qkv and proj")
MLP_LAYOUTS = ("fc1 and fc2", "two nn.Linear")

MLP_NAMES = ("linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias")
ATTENTION_NAMES = (
    "self_attn.in_proj_weight",
    "self_attn.in_proj_bias",
    "self_attn.out_proj.weight",
    "self_attn.out_proj.bias",
)
#: offsets of the seeds the MLP's dropout masks are drawn under (the oracle draws the same masks)
TRAIN_SEED, EVAL_SEED = 1, 2
BLOCK_NAMES = ("norm1.weight", "norm1.bias", *ATTENTION_NAMES, "norm2.weight", "norm2.bias", *MLP_NAMES)


def _built_ins() -> tuple[type, ...]:
    from torchvision.models.vision_transformer import EncoderBlock

    return nn.TransformerEncoderLayer, nn.TransformerEncoder, nn.Transformer, EncoderBlock


def _forbidden() -> dict:
    from torchvision.models.vision_transformer import EncoderBlock

    return scratch.forbidden_table(
        [
            (nn.TransformerEncoderLayer.forward, "nn.TransformerEncoderLayer"),
            (nn.TransformerEncoder.forward, "nn.TransformerEncoder"),
            (nn.Transformer.forward, "nn.Transformer"),
            (EncoderBlock.forward, "torchvision's EncoderBlock"),
            (scratch.private("_transformer_encoder_layer_fwd"), "nn.TransformerEncoderLayer"),
        ]
    )


#: built-ins a from-scratch EncoderBlock may not run (the run-time half of the check)
FORBIDDEN = _forbidden()
LABELS = tuple(dict.fromkeys(FORBIDDEN.values()))


# --------------------------------------------------------------------------------------------------
# Finding the student's parameters


def build(cls: Callable[..., nn.Module], seed: int, *args: object) -> nn.Module:
    """The student's module, created under the case's seed without disturbing the global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = cls(*args)
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"{getattr(cls, '__name__', cls)}(...) should make an nn.Module, not a {type(module).__name__}"
        )
    return module


def _linear(module: object, where: str) -> nn.Linear:
    if not isinstance(module, nn.Linear):
        raise AttributeError(f"{where} should be an nn.Linear, but it is a {type(module).__name__}")
    if module.bias is None:
        raise AttributeError(f"{where} has no bias: keep nn.Linear's default bias=True")
    return module


def mlp_tensors(mlp: object, where: str = "self") -> tuple[dict[str, torch.Tensor], int]:
    """The MLP's two Linear layers under nn.TransformerEncoderLayer's names, and which layout held them."""
    if not isinstance(mlp, nn.Module):
        raise AttributeError(f"{where} should be an nn.Module (your MLP), but it is a {type(mlp).__name__}")
    fc1, fc2 = getattr(mlp, "fc1", None), getattr(mlp, "fc2", None)
    layout = 0
    if fc1 is None and fc2 is None:
        linears = [m for m in mlp.modules() if isinstance(m, nn.Linear)]
        if len(linears) != 2:
            raise AttributeError(
                f"the MLP needs its two linear layers stored as {where}.fc1 and {where}.fc2 "
                f"(nn.Linear); it has {len(linears)} nn.Linear layers and no fc1, fc2"
            )
        (fc1, fc2), layout = linears, 1
    fc1, fc2 = _linear(fc1, f"{where}.fc1"), _linear(fc2, f"{where}.fc2")
    return {
        "linear1.weight": fc1.weight,
        "linear1.bias": fc1.bias,
        "linear2.weight": fc2.weight,
        "linear2.bias": fc2.bias,
    }, layout


def attention_tensors(attn: object) -> tuple[dict[str, torch.Tensor], int]:
    """nn.MultiheadAttention's tensors, or those of notebook 3's MultiHeadSelfAttention (a fused ``qkv``
    Linear with q, k, v stacked in that order, and ``proj``), which hold the same numbers."""
    if isinstance(attn, nn.MultiheadAttention):
        if attn.in_proj_weight is None or attn.in_proj_bias is None:
            raise AttributeError(
                "self.attn should be nn.MultiheadAttention(dim, num_heads, dropout=dropout, "
                "batch_first=True), with one in_proj for q, k and v and its biases"
            )
        return {
            "self_attn.in_proj_weight": attn.in_proj_weight,
            "self_attn.in_proj_bias": attn.in_proj_bias,
            "self_attn.out_proj.weight": attn.out_proj.weight,
            "self_attn.out_proj.bias": attn.out_proj.bias,
        }, 0
    qkv, proj = getattr(attn, "qkv", None), getattr(attn, "proj", None)
    if isinstance(qkv, nn.Linear) and isinstance(proj, nn.Linear):
        qkv, proj = _linear(qkv, "self.attn.qkv"), _linear(proj, "self.attn.proj")
        return {
            "self_attn.in_proj_weight": qkv.weight,
            "self_attn.in_proj_bias": qkv.bias,
            "self_attn.out_proj.weight": proj.weight,
            "self_attn.out_proj.bias": proj.bias,
        }, 1
    raise AttributeError(
        "self.attn should be nn.MultiheadAttention(dim, num_heads, dropout=dropout, "
        "batch_first=True), or notebook 3's MultiHeadSelfAttention (with qkv and proj)"
    )


def _norm(block: nn.Module, name: str) -> dict[str, torch.Tensor]:
    norm = getattr(block, name, None)
    weight, bias = getattr(norm, "weight", None), getattr(norm, "bias", None)
    if (
        not isinstance(norm, nn.Module)
        or not isinstance(weight, torch.Tensor)
        or not isinstance(bias, torch.Tensor)
    ):
        raise AttributeError(
            f"EncoderBlock needs self.{name} = nn.LayerNorm(dim) (with its weight and bias); "
            f"self.{name} is {'missing' if norm is None else 'a ' + type(norm).__name__}"
        )
    return {f"{name}.weight": weight, f"{name}.bias": bias}


def block_tensors(block: nn.Module) -> tuple[dict[str, torch.Tensor], tuple[int, int]]:
    """norm1 / attn / norm2 / mlp of the student's block under nn.TransformerEncoderLayer's names."""
    for name in ("norm1", "attn", "norm2", "mlp"):
        if getattr(block, name, None) is None:
            raise AttributeError(
                f"EncoderBlock needs self.norm1, self.attn, self.norm2 and self.mlp; self.{name} is missing"
            )
    attention, attention_layout = attention_tensors(block.attn)
    mlp, mlp_layout = mlp_tensors(block.mlp, "self.mlp")
    return {**_norm(block, "norm1"), **attention, **_norm(block, "norm2"), **mlp}, (
        attention_layout,
        mlp_layout,
    )


def load(tensors: dict[str, torch.Tensor], weights: dict[str, torch.Tensor]) -> tuple[Tensors, bool]:
    """Copy the checker's weights into the student's parameters, when every shape agrees.

    Returns the shapes of the student's parameters (``shape:<name>``) and whether the weights went in.
    """
    shapes = {
        f"shape:{name}": torch.tensor(tuple(value.shape), dtype=torch.int64)
        for name, value in tensors.items()
    }
    if any(tuple(value.shape) != tuple(weights[name].shape) for name, value in tensors.items()):
        return shapes, False
    with torch.no_grad():
        for name, value in tensors.items():
            value.copy_(weights[name])
    return shapes, True


# --------------------------------------------------------------------------------------------------
# Running the student's module


def output_of(value: object, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{what} should return one tensor of shape (B, N, D), but it returned a {type(value).__name__}"
        )
    return value


@contextmanager
def seeded_rng(seed: int) -> Iterator[None]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def with_gradients(
    module: nn.Module,
    tensors: dict[str, torch.Tensor],
    x: torch.Tensor,
    grad: torch.Tensor,
    what: str,
    seed: int,
) -> Tensors:
    """Output (eval mode, under ``seed``) and the gradients of ``sum(output * grad)`` w.r.t. x and every
    parameter. A gradient that never reached a tensor (not used, or cut) is left out of the result."""
    module.eval()
    module.zero_grad(set_to_none=True)
    x = x.clone().requires_grad_(True)
    with seeded_rng(seed):
        out = output_of(module(x), what)  # (B, N, D)
    result = {"output": out}
    if out.requires_grad and tuple(out.shape) == tuple(grad.shape):
        try:
            out.backward(grad)
        except RuntimeError as error:
            raise RuntimeError(f"backpropagating through your {what} failed: {error}") from None
        if x.grad is not None:
            result["gradient of x"] = x.grad
        result.update(
            {f"gradient of {name}": value.grad for name, value in tensors.items() if value.grad is not None}
        )
    return result


def mlp(objects: dict, inputs: Inputs) -> Tensors:
    """MLP(dim, hidden, dropout) with the checker's weights: eval output and gradients, then a train output
    under a seed (the oracle draws the same dropout masks from the same seed)."""
    module = build(objects["MLP"], inputs["seed"], inputs["dim"], inputs["hidden"], inputs["dropout"])
    tensors, layout = mlp_tensors(module)
    shapes, loaded = load(tensors, inputs["weights"])
    result = {**shapes, "layout": torch.tensor([0, layout])}
    if not loaded:
        return result
    result.update(
        with_gradients(module, tensors, inputs["x"], inputs["grad"], "MLP", inputs["seed"] + EVAL_SEED)
    )
    module.train()
    with torch.no_grad(), seeded_rng(inputs["seed"] + TRAIN_SEED):
        result["output in train mode"] = output_of(module(inputs["x"].clone()), "MLP")
    return result


def mlp_parameter_count(objects: dict, inputs: Inputs) -> Tensors:
    module = build(objects["MLP"], 0, inputs["dim"], inputs["hidden"], inputs["dropout"])
    return {"count": torch.tensor(sum(p.numel() for p in module.parameters()))}


def block(objects: dict, inputs: Inputs) -> Tensors:
    """EncoderBlock with the checker's weights, in eval mode: output and gradients."""
    module = build(objects["EncoderBlock"], inputs["seed"], *block_args(inputs))
    tensors, layout = block_tensors(module)
    shapes, loaded = load(tensors, inputs["weights"])
    result = {**shapes, "layout": torch.tensor(layout)}
    if loaded:
        result.update(
            with_gradients(
                module, tensors, inputs["x"], inputs["grad"], "EncoderBlock", inputs["seed"] + EVAL_SEED
            )
        )
    return result


def block_args(inputs: Inputs) -> tuple:
    """(dim, num_heads, mlp_ratio, dropout): the arguments of EncoderBlock."""
    return inputs["dim"], inputs["num_heads"], inputs["mlp_ratio"], inputs["dropout"]


def _plain_containers(module: nn.Module) -> list[str]:
    """Attributes holding modules in a plain list, tuple or dict (PyTorch does not register those)."""
    found = []
    for name, value in vars(module).items():
        items = (
            value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else ()
        )
        if not name.startswith("_") and any(isinstance(item, nn.Module) for item in items):
            found.append(name)
    return found


def block_structure(objects: dict, inputs: Inputs) -> Tensors:
    """What the block is made of: parameter count, built-in layers, a LayerNorm used twice, modules
    PyTorch does not see."""
    module = build(objects["EncoderBlock"], inputs["seed"], *block_args(inputs))
    built_in = any(isinstance(m, _built_ins()) for m in module.modules())
    norm1 = getattr(module, "norm1", None)
    shared = norm1 is not None and norm1 is getattr(module, "norm2", None)
    result = {
        "count": torch.tensor(sum(p.numel() for p in module.parameters())),
        "built_in": torch.tensor(int(built_in)),
        "shared_norm": torch.tensor(int(shared)),
    }
    result.update({f"plain container:{name}": torch.tensor(1) for name in _plain_containers(module)})
    return result


def _modes(module: nn.Module, when: str) -> Tensors:
    return {f"training {when}:{name}": torch.tensor(int(m.training)) for name, m in module.named_modules()}


def block_modes(objects: dict, inputs: Inputs) -> Tensors:
    """Two calls in train mode and two in eval mode (no gradients), each on its own copy of x: the
    outputs, whether a call changed its input, the mode of every submodule, the dropout rates."""
    module = build(objects["EncoderBlock"], inputs["seed"], *block_args(inputs))
    x = inputs["x"]  # (B, N, D)
    copies = [x.clone() for _ in range(4)]
    result: Tensors = {}
    with torch.no_grad(), seeded_rng(inputs["seed"]):
        module.train()
        result.update(_modes(module, "after train()"))
        train = [output_of(module(copies[0]), "EncoderBlock"), output_of(module(copies[1]), "EncoderBlock")]
        result.update(_modes(module, "after train() and two calls"))
        module.eval()
        result.update(_modes(module, "after eval()"))
        evaluation = [
            output_of(module(copies[2]), "EncoderBlock"),
            output_of(module(copies[3]), "EncoderBlock"),
        ]
        result.update(_modes(module, "after eval() and two calls"))
    result["input changed"] = torch.tensor([int(not torch.equal(c, x)) for c in copies])
    result["train"] = torch.stack([t.detach().clone() for t in train]) if _same_shapes(train) else train[0]
    result["eval"] = (
        torch.stack([t.detach().clone() for t in evaluation]) if _same_shapes(evaluation) else evaluation[0]
    )
    attn, mlp_module = getattr(module, "attn", None), getattr(module, "mlp", None)
    if isinstance(attn, nn.MultiheadAttention):
        result["attention dropout"] = torch.tensor(float(attn.dropout), dtype=torch.float64)
    if isinstance(mlp_module, nn.Module):
        rates = [float(m.p) for m in mlp_module.modules() if isinstance(m, nn.Dropout)]
        if rates:
            result["mlp dropout rates"] = torch.tensor(rates, dtype=torch.float64)
    return result


def _same_shapes(tensors: list[torch.Tensor]) -> bool:
    return len({tuple(t.shape) for t in tensors}) == 1


def block_scratch(objects: dict, inputs: Inputs) -> Tensors:
    """One block, watched while it runs at a few input sizes (eval mode, no gradients)."""
    module = build(objects["EncoderBlock"], inputs["seed"], *block_args(inputs)).eval()

    def run(x: torch.Tensor) -> None:
        with torch.no_grad():
            module(x)

    return scratch.across_sizes(((run, (x,)) for x in inputs["runs"]), LABELS, FORBIDDEN)


# --------------------------------------------------------------------------------------------------
# layer_norm, from scratch

#: built-ins that normalise for you (the run-time half of the from-scratch check), by identity
NORM_FORBIDDEN = scratch.forbidden_table(
    [
        (F.layer_norm, "F.layer_norm / nn.LayerNorm"),
        (torch.layer_norm, "F.layer_norm / nn.LayerNorm"),
        (getattr(torch, "native_layer_norm", None), "torch.native_layer_norm"),
        (F.group_norm, "F.group_norm / nn.GroupNorm"),
        (torch.group_norm, "F.group_norm / nn.GroupNorm"),
        (getattr(torch, "native_group_norm", None), "F.group_norm / nn.GroupNorm"),
        (F.batch_norm, "F.batch_norm / nn.BatchNorm"),
        (torch.batch_norm, "F.batch_norm / nn.BatchNorm"),
        (getattr(torch, "native_batch_norm", None), "F.batch_norm / nn.BatchNorm"),
        (F.instance_norm, "F.instance_norm / nn.InstanceNorm"),
        (torch.instance_norm, "F.instance_norm / nn.InstanceNorm"),
        (getattr(F, "rms_norm", None), "F.rms_norm / nn.RMSNorm"),
        (getattr(torch, "rms_norm", None), "F.rms_norm / nn.RMSNorm"),
    ]
)
NORM_LABELS = tuple(dict.fromkeys(NORM_FORBIDDEN.values()))
SHIFTED = "output for x shifted"


def _tensor_output(value: object, x: torch.Tensor) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"layer_norm should return one tensor of the shape of x, {tuple(x.shape)}, but it returned a "
            f"{type(value).__name__}"
        )
    return value


def _layer_norm_args(inputs: Inputs, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> tuple:
    """(x, weight, bias), plus eps when the case sets one (else the student's default is used)."""
    eps = inputs.get("eps")
    return (x, weight, bias) if eps is None else (x, weight, bias, eps)


def layer_norm(objects: dict, inputs: Inputs) -> Tensors:
    """layer_norm(x, weight, bias[, eps]) on leaves that require grad: the output, whether it is still
    attached to the graph, the gradients of sum(output * grad) that reached x, weight and bias; with a
    ``shift``, also the output for x + shift (every feature of every token moved by the same amount)."""
    fn = objects["layer_norm"]
    x, weight, bias = (inputs[name].clone().requires_grad_(True) for name in ("x", "weight", "bias"))
    out = _tensor_output(fn(*_layer_norm_args(inputs, x, weight, bias)), x)
    result = {"output": out.detach().clone(), "graph": torch.tensor(int(out.requires_grad))}
    if out.requires_grad and tuple(out.shape) == tuple(inputs["grad"].shape):
        grads = torch.autograd.grad(out, [x, weight, bias], inputs["grad"], allow_unused=True)
        result.update(
            {
                f"gradient of {name}": g
                for name, g in zip(("x", "weight", "bias"), grads, strict=True)
                if g is not None
            }
        )
    if "shift" in inputs:
        shifted = inputs["x"] + inputs["shift"]  # (..., D), in x's dtype
        with torch.no_grad():
            value = fn(*_layer_norm_args(inputs, shifted, inputs["weight"].clone(), inputs["bias"].clone()))
        result[SHIFTED] = _tensor_output(value, shifted).detach().clone()
    return result


def layer_norm_scratch(objects: dict, inputs: Inputs) -> Tensors:
    """layer_norm watched while it runs at a few sizes (no gradients)."""
    fn = objects["layer_norm"]
    runs = ((fn, (x, weight, bias)) for x, weight, bias in inputs["runs"])
    return scratch.across_sizes(runs, NORM_LABELS, NORM_FORBIDDEN)
