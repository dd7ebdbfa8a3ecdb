"""Checks for notebook 5 (the full Vision Transformer): oracle ``torchvision.models.VisionTransformer``.

Letters used in shape comments: B batch, C channels, H = W image side, P patch side, h = w = H / P
patches per side, N = h * w patches, D model width, K classes.

The oracle is torchvision's ViT with the student's own (randomised) weights mapped onto it, and the
reverse (torchvision's weights loaded into the student's model). Every mistake is torchvision's model
run with a forward hook that re-orders or re-pools its tokens, or with one part swapped for
``nn.Identity``, or a transformation of its logits: nothing here is a from-scratch answer.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import vision_transformer as tvvit

from vitlab.checks.block import build, closest, randomise
from vitlab.checks.core import (
    EXACT,
    Case,
    Exercise,
    Inputs,
    Mistake,
    Outcome,
    Tensors,
    Tolerance,
    Verdict,
    describe_error,
    judge,
    require,
    seeded,
)

#: float32 through several blocks and two attention code paths (see block.BLOCK_TOL)
VIT_TOL = Tolerance(1e-4, 1e-4)
#: the LayerNorm of nn.LayerNorm(dim) and nn.TransformerEncoderLayer (torchvision's default is 1e-6)
EPS = 1e-5
CONFIG_KEYS = ("image_size", "patch_size", "in_channels", "num_classes", "dim", "depth", "num_heads",
               "mlp_ratio", "dropout", "pool")

# --------------------------------------------------------------------------------------------------
# Weight mapping: the student's attribute names <-> torchvision's state-dict names


def _block_names(block: nn.Module) -> dict[str, str]:
    """torchvision EncoderBlock name -> name inside the student's block (built-in layer or notebook 4's)."""
    if isinstance(block, nn.TransformerEncoderLayer):
        attn, norm1, norm2, fc1, fc2 = "self_attn", "norm1", "norm2", "linear1", "linear2"
    elif all(hasattr(block, a) for a in ("norm1", "attn", "norm2", "mlp")):
        attn, norm1, norm2, fc1, fc2 = "attn", "norm1", "norm2", "mlp.fc1", "mlp.fc2"
    else:
        raise AttributeError("each block in self.blocks should be an nn.TransformerEncoderLayer (make_block) "
                             "or notebook 4's EncoderBlock (norm1, attn, norm2, mlp)")
    names = {"ln_1": norm1, "ln_2": norm2, "mlp.0": fc1, "mlp.3": fc2}
    mapping = {f"{tv}.{kind}": f"{mine}.{kind}" for tv, mine in names.items() for kind in ("weight", "bias")}
    if hasattr(_lookup(block, attn), "qkv"):  # notebook 3's MultiHeadSelfAttention: same numbers
        mapping.update({"self_attention.in_proj_weight": f"{attn}.qkv.weight",
                        "self_attention.in_proj_bias": f"{attn}.qkv.bias",
                        "self_attention.out_proj.weight": f"{attn}.proj.weight",
                        "self_attention.out_proj.bias": f"{attn}.proj.bias"})
    else:
        mapping.update({f"self_attention.{k}": f"{attn}.{k}"
                        for k in ("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")})
    return mapping


def name_map(model: nn.Module) -> dict[str, str]:
    """torchvision name -> the student's name, for every parameter of the ViT.

    Needs ``patch_embed`` (nn.Conv2d), ``cls_token``, ``pos_embed``, ``blocks``, ``norm`` and ``head``;
    a missing ``norm`` is left out (the verdict then says "missing" and names the mistake).
    """
    for name in ("patch_embed", "cls_token", "pos_embed", "blocks", "head"):
        if not hasattr(model, name):
            raise AttributeError(f"VisionTransformer needs self.{name} (see the exercise's attributes)")
    if not isinstance(model.patch_embed, nn.Conv2d):
        raise AttributeError("self.patch_embed should be nn.Conv2d(in_channels, dim, kernel_size=P, "
                             "stride=P)")
    mapping = {"conv_proj.weight": "patch_embed.weight", "conv_proj.bias": "patch_embed.bias",
               "class_token": "cls_token", "encoder.pos_embedding": "pos_embed",
               "heads.head.weight": "head.weight", "heads.head.bias": "head.bias"}
    if getattr(model, "norm", None) is not None:
        mapping.update({"encoder.ln.weight": "norm.weight", "encoder.ln.bias": "norm.bias"})
    for i, block in enumerate(model.blocks):
        for tv, mine in _block_names(block).items():
            mapping[f"encoder.layers.encoder_layer_{i}.{tv}"] = f"blocks.{i}.{mine}"
    return mapping


def _lookup(model: nn.Module, dotted: str) -> torch.Tensor:
    value = model
    for part in dotted.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    return value


def vit_params(model: nn.Module) -> dict[str, torch.Tensor]:
    """The student's parameters (live tensors) under torchvision's names."""
    return {tv: _lookup(model, mine) for tv, mine in name_map(model).items()}


def load_torchvision_weights(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """The reverse map: copy a torchvision ViT's weights into the student's model."""
    with torch.no_grad():
        for tv, value in vit_params(model).items():
            if tuple(value.shape) != tuple(state[tv].shape):
                raise ValueError(f"{tv}: your model's tensor has shape {tuple(value.shape)}, torchvision's "
                                 f"{tuple(state[tv].shape)}")
            value.copy_(state[tv])


def config(inputs: Inputs) -> dict:
    return {k: inputs[k] for k in CONFIG_KEYS if k in inputs}


def torchvision_vit(inputs: Inputs, params: Tensors | None = None,
                    dropout: float = 0.0) -> tvvit.VisionTransformer:
    """torchvision's ViT at the case's sizes (any number of input channels), eval mode, optionally with
    the student's parameters (``p:``-prefixed outcome tensors) loaded."""
    model = tvvit.VisionTransformer(
        inputs["image_size"], inputs["patch_size"], num_layers=inputs["depth"], num_heads=inputs["num_heads"],
        hidden_dim=inputs["dim"], mlp_dim=int(inputs["dim"] * inputs["mlp_ratio"]), dropout=dropout,
        attention_dropout=dropout, num_classes=inputs["num_classes"],
        norm_layer=partial(nn.LayerNorm, eps=EPS))
    P = inputs["patch_size"]
    model.conv_proj = nn.Conv2d(inputs["in_channels"], inputs["dim"], kernel_size=P, stride=P)
    if params is not None:
        state = {k.removeprefix("p:"): v for k, v in params.items() if k.startswith("p:")}
        expected = model.state_dict()
        fitting = {k: v for k, v in state.items() if k in expected and v.shape == expected[k].shape}
        model.load_state_dict(fitting, strict=False)
    return model.eval()


def _mismatched(inputs: Inputs, outcome: Outcome) -> dict[str, tuple[int, ...]]:
    """torchvision name -> expected shape, for each parameter the student's model lacks or shapes
    otherwise."""
    expected = torchvision_vit(inputs).state_dict()
    bad = {}
    for name, value in expected.items():
        got = outcome.tensors.get("p:" + name)
        if got is None or tuple(got.shape) != tuple(value.shape):
            bad[name] = tuple(value.shape)
    return bad


# --------------------------------------------------------------------------------------------------
# Step 2 and the oracle

GRAD_NAMES = ("class_token", "encoder.pos_embedding", "conv_proj.weight", "heads.head.weight")


def _run_vit(cls, inputs: Inputs) -> Tensors:
    model = build(lambda: cls(**config(inputs)), inputs)
    params = vit_params(model)
    randomise(params, inputs["seed"])
    model.eval()
    logits = model(inputs["images"])  # (B, K)
    logits.backward(inputs["grad"])
    grads = {"g:" + k: (params[k].grad if params[k].grad is not None else torch.zeros_like(params[k]))
             for k in GRAD_NAMES if k in params}
    return {"logits": logits, **grads, **{"p:" + k: v for k, v in params.items()}}


def _pooled(model: tvvit.VisionTransformer, pool: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Make torchvision's cls read-out (``x[:, 0]``) read ``pool(tokens)`` instead."""
    model.encoder.register_forward_hook(lambda module, args, out: pool(out).unsqueeze(1))


def mean_of_patches(tokens: torch.Tensor) -> torch.Tensor:
    return tokens[:, 1:].mean(dim=1)  # (B, N + 1, D) -> (B, D)


def run_torchvision(inputs: Inputs, model: tvvit.VisionTransformer, *, grads: bool = False) -> Tensors:
    """Logits (and gradients) of a torchvision ViT on the case's images, pooled as the case asks."""
    if inputs["pool"] == "mean":
        _pooled(model, mean_of_patches)
    images = inputs["images"]
    if not grads:
        with torch.no_grad():
            return {"logits": model(images)}
    logits = model(images)
    logits.backward(inputs["grad"])
    named = dict(model.named_parameters())
    return {"logits": logits.detach(), **{"g:" + k: named[k].grad for k in GRAD_NAMES}}


def _vit_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    bad = _mismatched(inputs, outcome)
    if bad:  # the verdict names each parameter the model lacks or shapes otherwise
        return {"p:" + name: torch.empty(shape) for name, shape in bad.items()}
    return run_torchvision(inputs, torchvision_vit(inputs, outcome.tensors), grads=True)


# --------------------------------------------------------------------------------------------------
# The catalogue: torchvision's model rewired


def _variant(rewire: Callable[[tvvit.VisionTransformer, Inputs, Outcome], object], allow: Sequence[str] = (),
             pools: Sequence[str] = ("cls", "mean")):
    """A mistake's output: torchvision's ViT with the student's weights, rewired; None when it cannot
    apply."""
    def produce(inputs: Inputs, outcome: Outcome) -> Tensors | None:
        if inputs["pool"] not in pools or set(_mismatched(inputs, outcome)) - set(allow):
            return None
        model = torchvision_vit(inputs, outcome.tensors)
        result = rewire(model, inputs, outcome)
        if isinstance(result, list):  # several ways of writing the same mistake
            return closest(result, outcome, VIT_TOL)
        return run_torchvision(inputs, model)
    return produce


def _rotate_class_token_to_end(model: tvvit.VisionTransformer) -> None:
    model.encoder.register_forward_pre_hook(lambda m, args: (torch.cat([args[0][:, 1:], args[0][:, :1]], 1),))


def _appended(model, inputs, outcome):
    outputs = []
    for read_last in (True, False):
        variant = torchvision_vit(inputs, outcome.tensors)
        _rotate_class_token_to_end(variant)
        if read_last:
            _pooled(variant, lambda tokens: tokens[:, -1])
        outputs.append(run_torchvision(inputs, variant))
    return outputs


def _wrong_index(model, inputs, outcome):
    outputs = []
    for index in (1, -1):
        variant = torchvision_vit(inputs, outcome.tensors)
        _pooled(variant, lambda tokens, i=index: tokens[:, i])
        outputs.append(run_torchvision(inputs, variant))
    return outputs


def _no_class_slot(model, inputs, outcome):
    pos = outcome.tensors["p:encoder.pos_embedding"]  # (1, N, D): no row for the class token
    if pos.dim() != 3 or pos.shape[1] != model.seq_length - 1:
        return []
    model.encoder.pos_embedding = nn.Parameter(torch.cat([torch.zeros_like(pos[:, :1]), pos], dim=1))


def _no_position(model, inputs, outcome):
    with torch.no_grad():
        model.encoder.pos_embedding.zero_()


def _conv_hook(reorder: Callable[[torch.Tensor], torch.Tensor]):
    def rewire(model, inputs, outcome):
        model.conv_proj.register_forward_hook(lambda m, args, out: reorder(out))
    return rewire


def _plain_reshape(feature_map: torch.Tensor) -> torch.Tensor:
    """(B, D, h, w) whose memory is read as (B, N, D) without moving D last; torchvision then reshapes
    (B, D, N) and moves D last, so hand it the map that gives exactly those tokens."""
    B, D, h, w = feature_map.shape
    return feature_map.reshape(B, h * w, D).transpose(1, 2).reshape(B, D, h, w)


def _logits_transform(transforms: Sequence[Callable[[torch.Tensor], torch.Tensor]]):
    def rewire(model, inputs, outcome):
        logits = run_torchvision(inputs, model)["logits"]
        return [{"logits": t(logits)} for t in transforms]
    return rewire


def _other_pool(model, inputs, outcome):
    if inputs["pool"] == "cls":
        _pooled(model, mean_of_patches)
    else:  # run_torchvision would add the mean read-out: return the class-token logits directly
        with torch.no_grad():
            return [{"logits": model(inputs["images"])}]


def _mean_with_class_token(model, inputs, outcome):
    model.encoder.register_forward_hook(lambda m, args, out: out.mean(dim=1, keepdim=True))
    with torch.no_grad():
        return [{"logits": model(inputs["images"])}]


def _no_final_norm(model, inputs, outcome):
    model.encoder.ln = nn.Identity()


def _vit_mistakes() -> list[Mistake]:
    return [
        Mistake("softmax in the head: the model returns probabilities, not logits",
                "return self.head(...) as it is: nn.CrossEntropyLoss applies log-softmax itself.",
                _variant(_logits_transform([partial(F.softmax, dim=-1), partial(F.log_softmax, dim=-1)]))),
        Mistake("the positional embedding has no slot for the class token",
                "make pos_embed of shape (1, N + 1, D) and add it after prepending the class token.",
                _variant(_no_class_slot, allow=("encoder.pos_embedding",))),
        Mistake("the class token is appended at the end instead of prepended at index 0",
                "torch.cat([cls, tokens], dim=1): the class token comes first, and the head reads x[:, 0].",
                _variant(_appended, pools=("cls",))),
        Mistake("the head reads the wrong token (the class token is at index 0)",
                "with pool='cls', feed x[:, 0] (after the final LayerNorm) to the head.",
                _variant(_wrong_index, pools=("cls",))),
        Mistake("no final LayerNorm before the head",
                "after the last block apply self.norm = nn.LayerNorm(dim) to the tokens, then pool.",
                _variant(_no_final_norm, allow=("encoder.ln.weight", "encoder.ln.bias"))),
        Mistake("the positional embedding is never added",
                "add self.pos_embed to the tokens (after prepending the class token).",
                _variant(_no_position)),
        Mistake("the patch embedding's (B, D, h, w) map is reshaped to (B, N, D) without moving D last",
                "flatten the grid and then swap the axes: x.flatten(2).transpose(1, 2) gives (B, N, D).",
                _variant(_conv_hook(_plain_reshape))),
        Mistake("patch tokens come out column-major",
                "flatten the (h, w) grid row by row: x.flatten(2) on (B, D, h, w), no transpose of h and w.",
                _variant(_conv_hook(lambda feature_map: feature_map.transpose(2, 3)))),
        Mistake("the pool argument is ignored",
                "pool='cls' reads x[:, 0]; pool='mean' averages the patch tokens x[:, 1:].",
                _variant(_other_pool)),
        Mistake("mean pooling includes the class token",
                "average the patch tokens only: x[:, 1:].mean(dim=1).",
                _variant(_mean_with_class_token, pools=("mean",))),
    ]


NOT_EXPANDED = "the class token is not expanded over the batch"


def judge_vit(exercise: Exercise, expect_error: type[BaseException] | None = None):
    """The oracle comparison, plus one diagnosis that comes from an error rather than from an output."""
    def judge_case(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
        if expect_error is not None:
            return judge(check, inputs, outcome, exercise.oracle, (), exercise.tol, expect_error)
        if outcome.raised and "Sizes of tensors must match except in dimension 1" in outcome.error_message:
            message = (f"this looks like a typical mistake: {NOT_EXPANDED} (torch.cat got a (1, 1, D) class "
                       f"token and ({inputs['images'].shape[0]}, N, D) patch tokens).\nFix: "
                       "self.cls_token.expand(B, -1, -1) gives every image a view of the same learned token.")
            return Verdict(False, check, message, mistake=NOT_EXPANDED)
        return judge(check, inputs, outcome, exercise.oracle, exercise.mistakes, exercise.tol)
    return judge_case


VIT = Exercise("VisionTransformer", _run_vit, _vit_oracle, _vit_mistakes(), VIT_TOL)


def vit_case(name: str, *, B: int = 3, image_size: int = 8, patch_size: int = 4, in_channels: int = 1,
             num_classes: int = 5, dim: int = 16, depth: int = 2, num_heads: int = 2, mlp_ratio: float = 2.0,
             dropout: float = 0.1, pool: str = "cls", seed: int = 0,
             expect_error: type[BaseException] | None = None) -> Case:
    def make() -> Inputs:
        generator = seeded(seed)
        images = torch.randn(B, in_channels, image_size, image_size, generator=generator)
        grad = torch.randn(B, num_classes, generator=generator)
        return {"images": images, "grad": grad, "image_size": image_size, "patch_size": patch_size,
                "in_channels": in_channels, "num_classes": num_classes, "dim": dim, "depth": depth,
                "num_heads": num_heads, "mlp_ratio": mlp_ratio, "dropout": dropout, "pool": pool,
                "seed": seed}
    return Case(name, make, judge=judge_vit(VIT, expect_error))


# --- structure: learnable class token and positions, and torchvision's parameter count --------------

def _run_structure(cls, inputs: Inputs) -> Tensors:
    with torch.device("meta"):
        model = cls(**config(inputs))
    learnable = {id(p) for p in model.parameters()}
    flags = [int(id(getattr(model, name, None)) in learnable) for name in ("cls_token", "pos_embed")]
    return {"count": torch.tensor(count_parameters(model)), "learnable": torch.tensor(flags)}


def _judge_structure(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    if not all(outcome.tensors["learnable"].tolist()):
        return Verdict(False, check, "this looks like a typical mistake: the class token or the positional "
                                     "embedding is not a learnable nn.Parameter.\nFix: self.cls_token = "
                                     "nn.Parameter(torch.zeros(1, 1, dim)) and self.pos_embed = "
                                     "nn.Parameter(...) of shape (1, N + 1, dim).",
                       mistake="the class token or positional embedding is not an nn.Parameter")
    if not inputs["count"]:
        return Verdict(True, check)
    with torch.device("meta"):
        want = sum(p.numel() for p in torchvision_vit(inputs).parameters())
    got = int(outcome.tensors["count"])
    if got != want:
        return Verdict(False, check, f"torchvision's ViT at these sizes has {want:,} parameters, yours "
                                     f"{got:,}. "
                                     "The parts: Conv2d patch embedding, class token (1, 1, D), positional "
                                     "embedding (1, N + 1, D), the blocks, the final LayerNorm and the head.")
    return Verdict(True, check)


def structure_case(count: bool = True, **sizes) -> Case:
    """Class token and positions are nn.Parameters; with ``count``, the parameter count is torchvision's."""
    def make() -> Inputs:
        values = {"image_size": 8, "patch_size": 4, "in_channels": 1, "num_classes": 5, "dim": 16, "depth": 2,
                  "num_heads": 2, "mlp_ratio": 2.0, "dropout": 0.0, "pool": "cls", "count": count}
        values.update(sizes)
        return values
    size = sizes.get("image_size", 8)
    name = (f"parameter count ({size}x{size} images)" if count
            else "class token and positions are nn.Parameters")
    return Case(name, make, run=_run_structure, judge=_judge_structure)


VIT_PUBLIC = [
    structure_case(count=False),
    vit_case("8x8 images, 4x4 patches, D=16, 2 blocks: logits and gradients"),
    vit_case("28x28 images, 7x7 patches, D=24, 3 blocks, 10 classes", image_size=28, patch_size=7, dim=24,
             depth=3, num_heads=4, num_classes=10, seed=1),
    structure_case(),
]
VIT_MEAN_PUBLIC = [
    structure_case(count=False, pool="mean"),
    vit_case("pool='mean': 8x8 images, 4x4 patches, D=16", pool="mean", seed=2),
]


def test_vit(VisionTransformer) -> None:
    """Public test: logits and gradients equal torchvision's VisionTransformer with your weights."""
    require(VIT.verdicts(VisionTransformer, VIT_PUBLIC), "VisionTransformer")


def test_vit_mean_pool(VisionTransformer) -> None:
    """Public test of pool='mean': the head reads the mean of the patch tokens."""
    require(VIT.verdicts(VisionTransformer, VIT_MEAN_PUBLIC), "VisionTransformer(pool='mean')")


# --------------------------------------------------------------------------------------------------
# Exercise 2: the paper's Table 1, by configuration

PAPER = {"ViT-B/16": tvvit.vit_b_16, "ViT-L/16": tvvit.vit_l_16, "ViT-H/14": tvvit.vit_h_14}
#: the paper's rounded counts (Table 1), for the notebook's table
PAPER_MILLIONS = {"ViT-B/16": 86, "ViT-L/16": 307, "ViT-H/14": 632}
TABLE_COLUMNS = ("patch_size", "dim", "depth", "num_heads", "mlp_dim", "parameters")


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def torchvision_row(builder: Callable[..., nn.Module]) -> list[int]:
    """(P, D, depth, heads, MLP width, parameters) of a torchvision builder, built on the meta device."""
    with torch.device("meta"):
        model = builder(weights=None)
    return [model.patch_size, model.hidden_dim, len(model.encoder.layers), model.encoder.layers[0].num_heads,
            model.mlp_dim, count_parameters(model)]


def student_row(cls, settings: dict) -> list[int]:
    with torch.device("meta"):
        model = cls(image_size=224, in_channels=3, num_classes=1000, dropout=0.0, **settings)
    return [settings["patch_size"], settings["dim"], settings["depth"], settings["num_heads"],
            int(settings["dim"] * settings["mlp_ratio"]), count_parameters(model)]


def _run_configs(student: tuple, inputs: Inputs) -> Tensors:
    paper_configs, cls = student
    configs = paper_configs()
    missing = [name for name in PAPER if name not in configs]
    if missing:
        raise KeyError(f"paper_configs() should have the keys {list(PAPER)}; missing {missing}")
    return {"table": torch.tensor([student_row(cls, configs[name]) for name in PAPER])}


def _configs_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    return {"table": torch.tensor([torchvision_row(builder) for builder in PAPER.values()])}


def _huge_with_16px_patches(inputs: Inputs, outcome: Outcome) -> Tensors:
    rows = [torchvision_row(builder) for builder in PAPER.values()]
    _, D, depth, heads, mlp, _ = rows[-1]
    with torch.device("meta"):
        model = tvvit.VisionTransformer(224, 16, num_layers=depth, num_heads=heads, hidden_dim=D, mlp_dim=mlp)
    rows[-1] = [16, D, depth, heads, mlp, count_parameters(model)]
    return {"table": torch.tensor(rows)}


CONFIGS = Exercise("paper_configs", _run_configs, _configs_oracle,
                   [Mistake("ViT-H/14 built with 16 x 16 patches",
                            "the number after the slash is the patch size: ViT-H/14 cuts 14 x 14 patches "
                            "(256 of them at 224 px).", _huge_with_16px_patches)], EXACT)
CONFIGS_PUBLIC = [Case("ViT-B/16, ViT-L/16 and ViT-H/14 at 224 px, 1000 classes", dict)]


def test_paper_configs(paper_configs, VisionTransformer) -> None:
    """Public test of exercise 2: sizes and parameter counts equal torchvision's vit_b_16, vit_l_16,
    vit_h_14."""
    verdicts = CONFIGS.verdicts((paper_configs, VisionTransformer), CONFIGS_PUBLIC)
    if not verdicts[0].passed and verdicts[0].mistake is None and "values differ" in verdicts[0].message:
        table = "rows: ViT-B/16, ViT-L/16, ViT-H/14; columns: " + ", ".join(TABLE_COLUMNS)
        verdicts[0] = Verdict(False, verdicts[0].check, verdicts[0].message + "\n" + table)
    require(verdicts, "paper_configs")


EXERCISES = [VIT, CONFIGS]
#: diagnoses that come from structural checks (or an error) rather than from a Mistake's output
STRUCTURAL_MISTAKES = [NOT_EXPANDED, "the class token or positional embedding is not an nn.Parameter"]
