"""Checks for notebook 4 (the Transformer encoder block): oracle ``nn.TransformerEncoderLayer``.

Letters used in shape comments: B batch, N tokens, D model width, F = int(D * mlp_ratio) hidden
width of the MLP.

The oracle is ``nn.TransformerEncoderLayer(norm_first=True, activation="gelu", batch_first=True)``
with the student's own (randomised) weights loaded into it. Every mistake is the same built-in
wired wrongly (``norm_first=False``, ``activation="relu"``, a sublayer switched off by zeroing its
output projection, a LayerNorm swapped for ``nn.Identity``...) or a recombination of such outputs,
so nothing in this module is a from-scratch answer.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.checks.core import (
    Case,
    Exercise,
    Inputs,
    Mistake,
    Outcome,
    Tensors,
    Tolerance,
    Verdict,
    describe_error,
    matches,
    require,
    seeded,
)

#: float32 through two attention code paths: outputs differ by about 1e-6, and gradients that are zero in
#: exact arithmetic (the key bias's) come out as noise of about 1e-5
BLOCK_TOL = Tolerance(1e-4, 1e-4)

# --------------------------------------------------------------------------------------------------
# The student's parameters under the oracle's names (those of nn.TransformerEncoderLayer)


def mlp_params(mlp: nn.Module) -> dict[str, torch.Tensor]:
    """fc1 / fc2 of the student's MLP under the names of nn.TransformerEncoderLayer's MLP."""
    for name in ("fc1", "fc2"):
        if not isinstance(getattr(mlp, name, None), nn.Linear):
            raise AttributeError(f"the MLP needs its two linear layers stored as self.fc1 and self.fc2 "
                                 f"(nn.Linear); self.{name} is missing or not an nn.Linear")
    return {"linear1.weight": mlp.fc1.weight, "linear1.bias": mlp.fc1.bias,
            "linear2.weight": mlp.fc2.weight, "linear2.bias": mlp.fc2.bias}


def attention_params(attn: nn.Module) -> dict[str, torch.Tensor]:
    """nn.MultiheadAttention's tensors, or those of notebook 3's MultiHeadSelfAttention (a fused ``qkv``
    Linear with q, k, v stacked in that order, and ``proj``), which hold the same numbers."""
    if isinstance(attn, nn.MultiheadAttention):
        return {"in_proj_weight": attn.in_proj_weight, "in_proj_bias": attn.in_proj_bias,
                "out_proj.weight": attn.out_proj.weight, "out_proj.bias": attn.out_proj.bias}
    qkv, proj = getattr(attn, "qkv", None), getattr(attn, "proj", None)
    if isinstance(qkv, nn.Linear) and isinstance(proj, nn.Linear):
        return {"in_proj_weight": qkv.weight, "in_proj_bias": qkv.bias,
                "out_proj.weight": proj.weight, "out_proj.bias": proj.bias}
    raise AttributeError("self.attn should be nn.MultiheadAttention(dim, num_heads, dropout=dropout, "
                         "batch_first=True) or notebook 3's MultiHeadSelfAttention (with qkv and proj)")


def block_params(block: nn.Module) -> dict[str, torch.Tensor]:
    """norm1 / attn / norm2 / mlp of the student's block under nn.TransformerEncoderLayer's names."""
    for name, kind in (("norm1", nn.LayerNorm), ("attn", nn.Module), ("norm2", nn.LayerNorm),
                       ("mlp", nn.Module)):
        if not isinstance(getattr(block, name, None), kind):
            raise AttributeError(f"EncoderBlock needs self.norm1, self.attn, self.norm2 and self.mlp; "
                                 f"self.{name} is missing or not an {kind.__name__}")
    attn = {"self_attn." + k: v for k, v in attention_params(block.attn).items()}
    return {"norm1.weight": block.norm1.weight, "norm1.bias": block.norm1.bias, **attn,
            "norm2.weight": block.norm2.weight, "norm2.bias": block.norm2.bias, **mlp_params(block.mlp)}


def randomise(params: dict[str, torch.Tensor], seed: int, scale: float = 0.2) -> None:
    """Add seeded noise to every parameter, so that LayerNorms (ones and zeros at first) differ."""
    generator = seeded(seed)
    with torch.no_grad():
        for value in params.values():
            if value is not None:
                value.add_(scale * torch.randn(value.shape, generator=generator, dtype=value.dtype))


def build(cls, inputs: Inputs, *args) -> nn.Module:
    """The student's module, created under the case's seed without disturbing the global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(inputs["seed"])
        return cls(*args)


def block_args(inputs: Inputs) -> tuple:
    """(dim, num_heads, mlp_ratio, dropout): the arguments of EncoderBlock."""
    return inputs["dim"], inputs["num_heads"], inputs["mlp_ratio"], inputs["dropout"]


def hidden_width(inputs: Inputs) -> int:
    return int(inputs["dim"] * inputs["mlp_ratio"])


def oracle_layer(inputs: Inputs, params: Tensors, *, dropout: float = 0.0, activation="gelu",
                 norm_first: bool = True, batch_first: bool = True) -> nn.TransformerEncoderLayer:
    """The built-in block with the student's weights. Train mode, so the fused fast path is not taken
    (with ``dropout=0`` train and eval compute the same)."""
    layer = nn.TransformerEncoderLayer(inputs["dim"], inputs.get("num_heads", 1), hidden_width(inputs),
                                       dropout=dropout, activation=activation, batch_first=batch_first,
                                       norm_first=norm_first)
    state = {k.removeprefix("p:"): v for k, v in params.items() if k.startswith("p:")}
    layer.load_state_dict(state, strict=False)
    return layer.train()


def wrong_shapes(inputs: Inputs, outcome: Outcome, names: Sequence[str]) -> Tensors | None:
    """Expected parameter shapes, when the student's differ (else None): the verdict then says which."""
    reference = nn.TransformerEncoderLayer(inputs["dim"], inputs.get("num_heads", 1), hidden_width(inputs),
                                           batch_first=True).state_dict()
    bad = {}
    for name in names:
        got = outcome.tensors.get("p:" + name)
        if got is None or tuple(got.shape) != tuple(reference[name].shape):
            bad["p:" + name] = torch.empty(reference[name].shape)
    return bad or None


def closest(candidates: Sequence[Tensors], outcome: Outcome, tol: Tolerance) -> Tensors | None:
    """The candidate the student's output matches (one mistake, several ways of writing it)."""
    for candidate in candidates:
        if matches(candidate, outcome.tensors, tol):
            return candidate
    return candidates[0] if candidates else None


# --------------------------------------------------------------------------------------------------
# Exercise 1: MLP (Linear, GELU, Dropout, Linear, Dropout)

MLP_PARAMS = ("linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias")


def _run_mlp(cls, inputs: Inputs) -> Tensors:
    mlp = build(cls, inputs, inputs["dim"], hidden_width(inputs), inputs["dropout"])
    params = mlp_params(mlp)
    randomise(params, inputs["seed"])
    outputs = {}
    for mode, offset in (("eval", 1), ("train", 2)):
        mlp.train(mode == "train")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(inputs["seed"] + offset)  # the same dropout masks as the oracle's
            outputs[mode] = mlp(inputs["x"])
    return {**outputs, **{"p:" + k: v for k, v in params.items()}}


def _mlp_outputs(inputs: Inputs, outcome: Outcome, rewire: Callable[[nn.Module], None] | None = None,
                 activation="gelu", eval_offset: int | None = None) -> Tensors:
    """eval and train outputs of the oracle's feed-forward sublayer (``_ff_block``), optionally rewired."""
    layer = oracle_layer(inputs, outcome.tensors, dropout=inputs["dropout"], activation=activation)
    if rewire is not None:
        rewire(layer)
    outputs = {}
    for mode, offset in (("eval", eval_offset), ("train", 2)):
        layer.train(mode == "train" or offset is not None)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(inputs["seed"] + (offset or 0))
            outputs[mode] = layer._ff_block(inputs["x"])
    return outputs


def _mlp_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    return wrong_shapes(inputs, outcome, MLP_PARAMS) or _mlp_outputs(inputs, outcome)


def _dropout_before_activation(layer: nn.TransformerEncoderLayer) -> None:
    layer.linear1 = nn.Sequential(layer.linear1, layer.dropout)  # dropout on the pre-activation
    layer.dropout = nn.Identity()


def _no_dropout(*names: str) -> Callable[[nn.TransformerEncoderLayer], None]:
    def rewire(layer: nn.TransformerEncoderLayer) -> None:
        for name in names:
            setattr(layer, name, nn.Identity())
    return rewire


def _mlp_mistakes() -> list[Mistake]:
    def produce(**how):
        def make(inputs: Inputs, outcome: Outcome) -> Tensors | None:
            if wrong_shapes(inputs, outcome, MLP_PARAMS):
                return None
            return _mlp_outputs(inputs, outcome, **how)
        return make

    def dropout_left_out(inputs: Inputs, outcome: Outcome) -> Tensors | None:
        if wrong_shapes(inputs, outcome, MLP_PARAMS):
            return None
        variants = [("dropout", "dropout2"), ("dropout",), ("dropout2",)]
        return closest([_mlp_outputs(inputs, outcome, _no_dropout(*v)) for v in variants], outcome, BLOCK_TOL)

    return [
        Mistake("ReLU instead of GELU", "ViT's MLP uses nn.GELU() between the two linear layers.",
                produce(activation="relu")),
        Mistake("GELU with the tanh approximation",
                "use the exact GELU, nn.GELU() (approximate='none'), as nn.TransformerEncoderLayer does.",
                produce(activation=partial(F.gelu, approximate="tanh"))),
        Mistake("dropout placed before the activation",
                "the order is Linear, GELU, Dropout, Linear, Dropout: dropout acts on the activated "
                "features.",
                produce(rewire=_dropout_before_activation)),
        Mistake("dropout left out",
                "apply nn.Dropout(dropout) twice: after the GELU and after the second Linear.",
                dropout_left_out),
        Mistake("dropout stays active in eval mode",
                "use nn.Dropout modules (they switch off under model.eval()), or pass "
                "training=self.training to F.dropout.",
                produce(eval_offset=1)),
    ]


MLP_EXERCISE = Exercise("MLP", _run_mlp, _mlp_oracle, _mlp_mistakes(), BLOCK_TOL)


def mlp_case(name: str, B: int, N: int, D: int, mlp_ratio: float, dropout: float, seed: int = 0,
             scale: float = 1.0) -> Case:
    def make() -> Inputs:
        x = scale * torch.randn(B, N, D, generator=seeded(seed))
        return {"x": x, "dim": D, "mlp_ratio": mlp_ratio, "dropout": dropout, "seed": seed}
    return Case(name, make)


MLP_PUBLIC = [
    mlp_case("D=8, F=32, dropout 0.5, 2 x 5 tokens", 2, 5, 8, 4.0, 0.5),
    mlp_case("D=16, F=64, dropout 0.1, 3 x 7 tokens", 3, 7, 16, 4.0, 0.1, seed=1),
]


def test_mlp(MLP) -> None:
    """Public test of exercise 1: eval and (seeded) train outputs equal the built-in's MLP."""
    require(MLP_EXERCISE.verdicts(MLP, MLP_PUBLIC), "MLP")


# --------------------------------------------------------------------------------------------------
# Exercise 2: EncoderBlock (pre-norm residual wiring)

BLOCK_PARAMS = ("norm1.weight", "norm1.bias", "self_attn.in_proj_weight", "self_attn.in_proj_bias",
                "self_attn.out_proj.weight", "self_attn.out_proj.bias", "norm2.weight", "norm2.bias",
                *MLP_PARAMS)


def _run_block(EncoderBlock, inputs: Inputs) -> Tensors:
    block = build(EncoderBlock, inputs, *block_args(inputs))
    params = block_params(block)
    randomise(params, inputs["seed"])
    block.eval()
    x = inputs["x"].clone().requires_grad_(True)
    out = block(x)  # (B, N, D)
    out.backward(inputs["grad"])
    grads = {"g:" + k: (v.grad if v.grad is not None else torch.zeros_like(v)) for k, v in params.items()}
    return {"out": out, "grad_x": x.grad, **grads, **{"p:" + k: v for k, v in params.items()}}


def _block_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    bad = wrong_shapes(inputs, outcome, BLOCK_PARAMS)
    if bad:
        return bad
    layer = oracle_layer(inputs, outcome.tensors, activation="gelu")
    x = inputs["x"].clone().requires_grad_(True)
    out = layer(x)
    out.backward(inputs["grad"])
    named = dict(layer.named_parameters())
    return {"out": out.detach(), "grad_x": x.grad, **{"g:" + k: named[k].grad for k in BLOCK_PARAMS}}


def _zeroed(layer: nn.TransformerEncoderLayer, sublayer: str) -> nn.TransformerEncoderLayer:
    """Switch a sublayer off: its output projection and bias set to zero (the residual path stays)."""
    linear = layer.self_attn.out_proj if sublayer == "attn" else layer.linear2
    with torch.no_grad():
        linear.weight.zero_()
        linear.bias.zero_()
    return layer


def _halves(inputs: Inputs, outcome: Outcome):
    """x -> x + attn(norm1(x)) and y -> y + mlp(norm2(y)), each from the built-in with one sublayer off."""
    attn_half = _zeroed(oracle_layer(inputs, outcome.tensors), "mlp")
    mlp_half = _zeroed(oracle_layer(inputs, outcome.tensors), "attn")
    return attn_half, mlp_half


def _block_mistakes() -> list[Mistake]:
    def guarded(make: Callable[[Inputs, Outcome], torch.Tensor]):
        def produce(inputs: Inputs, outcome: Outcome) -> Tensors | None:
            if wrong_shapes(inputs, outcome, BLOCK_PARAMS):
                return None
            with torch.no_grad():
                return {"out": make(inputs, outcome)}
        return produce

    def built_in(**how):
        return guarded(lambda i, o: oracle_layer(i, o.tensors, **how)(i["x"]))

    def no_attn_residual(i: Inputs, o: Outcome) -> torch.Tensor:
        attn_half, mlp_half = _halves(i, o)
        return mlp_half(attn_half(i["x"]) - i["x"])

    def no_mlp_residual(i: Inputs, o: Outcome) -> torch.Tensor:
        attn_half, mlp_half = _halves(i, o)
        y = attn_half(i["x"])
        return mlp_half(y) - y

    def no_residuals(i: Inputs, o: Outcome) -> torch.Tensor:
        attn_half, mlp_half = _halves(i, o)
        y = attn_half(i["x"]) - i["x"]
        return mlp_half(y) - y

    def residual_from_normalised(i: Inputs, o: Outcome) -> torch.Tensor:
        attn_half, mlp_half = _halves(i, o)
        norm1, norm2 = attn_half.norm1, mlp_half.norm2
        attn_half.norm1, mlp_half.norm2 = nn.Identity(), nn.Identity()
        y = attn_half(norm1(i["x"]))  # norm1(x) + attn(norm1(x))
        return mlp_half(norm2(y))  # norm2(y) + mlp(norm2(y))

    def shared_norm(i: Inputs, o: Outcome) -> torch.Tensor:
        layer = oracle_layer(i, o.tensors)
        layer.norm2 = layer.norm1
        return layer(i["x"])

    return [
        Mistake("post-norm instead of pre-norm",
                "normalise the input of each sublayer, not the sum: x = x + attn(norm1(x)); "
                "x = x + mlp(norm2(x)).",
                built_in(norm_first=False)),
        Mistake("the residual around the attention is missing",
                "add the attention's output to its input: x = x + attn(norm1(x)).",
                guarded(no_attn_residual)),
        Mistake("the residual around the MLP is missing",
                "add the MLP's output to its input: x = x + mlp(norm2(x)).", guarded(no_mlp_residual)),
        Mistake("both residual connections are missing",
                "each sublayer adds to its input: x = x + attn(norm1(x)); x = x + mlp(norm2(x)).",
                guarded(no_residuals)),
        Mistake("the residual is added to the normalised input",
                "keep x itself on the residual path: x = x + attn(norm1(x)), not "
                "h = norm1(x); x = h + attn(h).",
                guarded(residual_from_normalised)),
        Mistake("ReLU instead of GELU", "ViT's MLP uses nn.GELU() between the two linear layers.",
                built_in(activation="relu")),
        Mistake("GELU with the tanh approximation",
                "use the exact GELU, nn.GELU() (approximate='none'), as nn.TransformerEncoderLayer does.",
                built_in(activation=partial(F.gelu, approximate="tanh"))),
        Mistake("one LayerNorm shared by both sublayers",
                "each sublayer has its own LayerNorm: use self.norm1 before the attention and self.norm2 "
                "before the MLP.", guarded(shared_norm)),
        Mistake("nn.MultiheadAttention without batch_first=True (attention mixes the batch, not the tokens)",
                "create it as nn.MultiheadAttention(dim, num_heads, dropout=dropout, batch_first=True): "
                "our tokens are laid out (B, N, D).", built_in(batch_first=False)),
    ]


BLOCK = Exercise("EncoderBlock", _run_block, _block_oracle, _block_mistakes(), BLOCK_TOL)


def block_case(name: str, B: int, N: int, D: int, num_heads: int, mlp_ratio: float, dropout: float = 0.1,
               seed: int = 0, scale: float = 1.0) -> Case:
    def make() -> Inputs:
        generator = seeded(seed)
        x = scale * torch.randn(B, N, D, generator=generator)
        grad = torch.randn(B, N, D, generator=generator)
        return {"x": x, "grad": grad, "dim": D, "num_heads": num_heads, "mlp_ratio": mlp_ratio,
                "dropout": dropout, "seed": seed}
    return Case(name, make)


# --- structural checks: the parameters, and dropout in train vs eval mode ---------------------------

def _run_structure(EncoderBlock, inputs: Inputs) -> Tensors:
    block = build(EncoderBlock, inputs, *block_args(inputs))
    built_ins = (nn.TransformerEncoderLayer, nn.TransformerEncoder)
    built_in = any(isinstance(m, built_ins) for m in block.modules())
    norm1 = getattr(block, "norm1", None)
    shared = norm1 is not None and norm1 is getattr(block, "norm2", None)
    return {"count": torch.tensor(sum(p.numel() for p in block.parameters())),
            "built_in": torch.tensor(int(built_in)), "shared_norm": torch.tensor(int(shared))}


def _judge_structure(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    if outcome.tensors["built_in"].item():
        message = ("your block contains nn.TransformerEncoderLayer: that is the oracle, the exercise is to "
                   "wire the block yourself.\nFix: build it from nn.LayerNorm, nn.MultiheadAttention and "
                   "your MLP.")
        return Verdict(False, check, message, mistake="built-in block used")
    want = sum(p.numel() for p in oracle_layer(inputs, {}).parameters())
    got = int(outcome.tensors["count"])
    if outcome.tensors["shared_norm"].item() or got == want - 2 * inputs["dim"]:
        message = ("this looks like a typical mistake: one LayerNorm shared by both sublayers.\n"
                   "Fix: create two, self.norm1 and self.norm2.")
        return Verdict(False, check, message, mistake="one LayerNorm shared by both sublayers")
    if got != want:
        return Verdict(False, check, f"a block of width D={inputs['dim']} with MLP width "
                                     f"{hidden_width(inputs)} has {want} parameters (two LayerNorms, "
                                     f"nn.MultiheadAttention, two Linears); yours has {got}.")
    return Verdict(True, check)


def _run_dropout(EncoderBlock, inputs: Inputs) -> Tensors:
    block = build(EncoderBlock, inputs, *block_args(inputs))
    x = inputs["x"]
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        block.train()
        train = torch.stack([block(x), block(x)])
        block.eval()
        evaluation = torch.stack([block(x), block(x)])
    attn, mlp = getattr(block, "attn", None), getattr(block, "mlp", None)
    rates = [getattr(attn, "dropout", inputs["dropout"])]  # the attention's dropout, then the MLP's
    rates += [m.p for m in (mlp.modules() if isinstance(mlp, nn.Module) else []) if isinstance(m, nn.Dropout)]
    return {"train": train, "eval": evaluation, "rates": torch.tensor(rates, dtype=torch.float64)}


def _judge_dropout(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    train, evaluation = outcome.tensors["train"], outcome.tensors["eval"]
    if not torch.equal(evaluation[0], evaluation[1]):
        message = ("this looks like a typical mistake: dropout stays active in eval mode (two calls after "
                   "block.eval() give different outputs).\nFix: use nn.Dropout modules, or pass "
                   "training=self.training to F.dropout.")
        return Verdict(False, check, message, mistake="dropout stays active in eval mode")
    if torch.equal(train[0], train[1]):
        message = (f"this looks like a typical mistake: dropout is never active (with dropout="
                   f"{inputs['dropout']}, two calls in train mode give the same output).\n"
                   "Fix: pass dropout to nn.MultiheadAttention and to your MLP.")
        return Verdict(False, check, message, mistake="dropout is never active")
    rates, p = outcome.tensors["rates"].tolist(), inputs["dropout"]
    if rates[0] != p:
        return Verdict(False, check, f"EncoderBlock(..., dropout={p}) made nn.MultiheadAttention with "
                                     f"dropout={rates[0]:g}.\nFix: nn.MultiheadAttention(dim, num_heads, "
                                     "dropout=dropout, batch_first=True).")
    if any(rate != p for rate in rates[1:]):
        return Verdict(False, check, f"EncoderBlock(..., dropout={p}) made an MLP whose nn.Dropout rates "
                                     f"are {rates[1:]}.\nFix: self.mlp = MLP(dim, int(dim * mlp_ratio), "
                                     "dropout).")
    return Verdict(True, check)


def structure_case(D: int = 16, num_heads: int = 4, mlp_ratio: float = 4.0) -> Case:
    sizes = {"dim": D, "num_heads": num_heads, "mlp_ratio": mlp_ratio, "dropout": 0.1, "seed": 0}
    return Case(f"parameters of a D={D} block", lambda: dict(sizes), run=_run_structure,
                judge=_judge_structure)


def dropout_case(D: int = 16, num_heads: int = 4, dropout: float = 0.5) -> Case:
    return Case(f"dropout {dropout}: random in train mode, deterministic in eval mode",
                lambda: {"x": torch.randn(2, 6, D, generator=seeded(5)), "dim": D, "num_heads": num_heads,
                         "mlp_ratio": 4.0, "dropout": dropout, "seed": 5},
                run=_run_dropout, judge=_judge_dropout)


BLOCK_PUBLIC = [
    structure_case(),
    dropout_case(),
    block_case("D=16, 4 heads, F=64, 2 x 5 tokens: outputs and gradients (eval mode)", 2, 5, 16, 4, 4.0),
    block_case("D=12, 3 heads, F=48, 3 x 4 tokens: outputs and gradients (eval mode)", 3, 4, 12, 3, 4.0,
               seed=1),
]


def test_block(EncoderBlock) -> None:
    """Public test of exercise 2: against nn.TransformerEncoderLayer(norm_first=True) with your weights."""
    require(BLOCK.verdicts(EncoderBlock, BLOCK_PUBLIC), "EncoderBlock")


EXERCISES = [MLP_EXERCISE, BLOCK]
#: diagnoses that come from structural checks rather than from a Mistake's output
STRUCTURAL_MISTAKES = ["built-in block used", "dropout stays active in eval mode", "dropout is never active"]
