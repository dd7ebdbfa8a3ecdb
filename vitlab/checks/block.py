"""Checks for notebook 4 (the Transformer encoder block): oracle ``nn.TransformerEncoderLayer``.

The notebook's first exercise, ``layer_norm`` from scratch (oracle ``F.layer_norm``), has its own
module, :mod:`vitlab.checks.layer_norm`, and is registered here with the MLP and the block.

Letters used in shape comments: B batch, N tokens, D model width, F = int(D * mlp_ratio) hidden
width of the MLP.

The checker chooses the weights; the harness (:mod:`vitlab.harness.calls.block`) copies them into
the student's module, and the oracle is ``nn.TransformerEncoderLayer(norm_first=True,
activation="gelu", batch_first=True)`` holding the same weights. Every mistake is the same built-in
wired wrongly (``norm_first=False``, ``activation="relu"``, a LayerNorm swapped for
``nn.Identity``, its pieces called in another order...), so nothing in this module is a
from-scratch answer. Behaviour is checked by effect: dropout random in train mode and off in eval
mode, the mode of every submodule, the input left untouched, gradients.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.checks import messages
from vitlab.checks.core import (
    Case,
    Exercise,
    Inputs,
    Judge,
    Mistake,
    Outcome,
    Scratch,
    Tensors,
    Tolerance,
    Verdict,
    differences,
    matches,
    seeded,
)
from vitlab.checks.layer_norm import GRAPH_CUT, LAYER_NORM
from vitlab.harness.calls import block as calls

#: the MLP: the same operations as the built-in's, outputs agree to float32 rounding
MLP_TOL = Tolerance(1e-5, 1e-6)
#: gradients of weights are sums over every token: float32 rounding grows with the number of tokens
GRADIENT_TOL = Tolerance(1e-4, 1e-5)
#: float32 through two attention code paths: outputs differ by about 1e-6, and gradients that are zero in
#: exact arithmetic (the key bias's) come out as noise of about 1e-6
BLOCK_TOL = Tolerance(1e-4, 2e-5)

OUTPUT_AXES = ("batch", "token", "feature")

# --------------------------------------------------------------------------------------------------
# The checker's weights, and the built-in layer that holds them


def _noise(generator: torch.Generator, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=generator)


def mlp_weights(D: int, F_: int, seed: int) -> dict[str, torch.Tensor]:
    """fc1 / fc2 under nn.TransformerEncoderLayer's names; fc1 spreads its outputs over [-4, 4], where
    the exact GELU, its tanh approximation and ReLU all differ."""
    g = seeded(1000 + seed)
    return {
        "linear1.weight": 1.5 * _noise(g, F_, D) / math.sqrt(D),
        "linear1.bias": 0.5 * _noise(g, F_),
        "linear2.weight": _noise(g, D, F_) / math.sqrt(F_),
        "linear2.bias": 0.3 * _noise(g, D),
    }


def block_weights(D: int, F_: int, seed: int) -> dict[str, torch.Tensor]:
    """Every tensor of the block; LayerNorms far from (1, 0), so that norm1 and norm2 differ."""
    g = seeded(2000 + seed)
    weights = {
        "norm1.weight": 1 + 0.3 * _noise(g, D),
        "norm1.bias": 0.3 * _noise(g, D),
        "self_attn.in_proj_weight": _noise(g, 3 * D, D) / math.sqrt(D),
        "self_attn.in_proj_bias": 0.3 * _noise(g, 3 * D),
        "self_attn.out_proj.weight": _noise(g, D, D) / math.sqrt(D),
        "self_attn.out_proj.bias": 0.3 * _noise(g, D),
        "norm2.weight": 1 + 0.3 * _noise(g, D),
        "norm2.bias": 0.3 * _noise(g, D),
    }
    return {**weights, **mlp_weights(D, F_, seed)}


def hidden_width(inputs: Inputs) -> int:
    return int(inputs["hidden"]) if "hidden" in inputs else int(inputs["dim"] * inputs["mlp_ratio"])


def built_in_layer(
    inputs: Inputs,
    *,
    dropout: float = 0.0,
    activation: str | Callable = "gelu",
    norm_first: bool = True,
    batch_first: bool = True,
) -> nn.TransformerEncoderLayer:
    return nn.TransformerEncoderLayer(
        inputs["dim"],
        inputs.get("num_heads", 1),
        hidden_width(inputs),
        dropout=dropout,
        activation=activation,
        batch_first=batch_first,
        norm_first=norm_first,
    )


def oracle_layer(inputs: Inputs, **how) -> nn.TransformerEncoderLayer:
    """The built-in block holding the checker's weights (eval mode: no dropout, no randomness)."""
    layer = built_in_layer(inputs, **how)
    layer.load_state_dict(inputs["weights"], strict=False)  # the MLP's cases hand in only linear1/linear2
    return layer.eval()


def with_gradients(
    inputs: Inputs, forward: Callable[[torch.Tensor], torch.Tensor], parameters: dict[str, torch.Tensor]
) -> Tensors:
    """forward(x) and the gradients of sum(forward(x) * grad) w.r.t. x and ``parameters``."""
    x = inputs["x"].clone().requires_grad_(True)
    out = forward(x)
    grads = torch.autograd.grad(out, [x, *parameters.values()], inputs["grad"], allow_unused=True)
    result = {"output": out.detach(), "gradient of x": grads[0]}
    result.update(
        {f"gradient of {name}": g for name, g in zip(parameters, grads[1:], strict=True) if g is not None}
    )
    return result


# --------------------------------------------------------------------------------------------------
# The student's names for the built-in's tensors (for messages)


def student_names(layout: Sequence[int], in_block: bool = True) -> dict[str, str]:
    """nn.TransformerEncoderLayer's tensor names -> the names in the student's block (or MLP)."""
    attention, mlp = (list(layout) + [0, 0])[:2]
    if not in_block:
        mine = {n: f"fc{n[6]}.{n.split('.')[1]}" for n in calls.MLP_NAMES}  # linear1.weight -> fc1.weight
        return (
            mine
            if mlp == 0
            else {
                n: f"the {'first' if n[6] == '1' else 'second'} Linear's {n.split('.')[1]}"
                for n in calls.MLP_NAMES
            }
        )
    names = {n: n for n in ("norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias")}
    if attention == 1:
        names.update(
            {
                "self_attn.in_proj_weight": "attn.qkv.weight",
                "self_attn.in_proj_bias": "attn.qkv.bias",
                "self_attn.out_proj.weight": "attn.proj.weight",
                "self_attn.out_proj.bias": "attn.proj.bias",
            }
        )
    else:
        names.update({n: "attn." + n.removeprefix("self_attn.") for n in calls.ATTENTION_NAMES})
    if mlp == 1:
        names.update(
            {
                "linear1.weight": "the MLP's first Linear's weight",
                "linear1.bias": "the MLP's first Linear's bias",
                "linear2.weight": "the MLP's second Linear's weight",
                "linear2.bias": "the MLP's second Linear's bias",
            }
        )
    else:
        names.update(
            {
                "linear1.weight": "mlp.fc1.weight",
                "linear1.bias": "mlp.fc1.bias",
                "linear2.weight": "mlp.fc2.weight",
                "linear2.bias": "mlp.fc2.bias",
            }
        )
    return names


def _layout(outcome: Outcome) -> list[int]:
    value = outcome.tensors.get("layout")
    return [int(v) for v in value.flatten().tolist()][:2] if isinstance(value, torch.Tensor) else [0, 0]


def _renamed(tensors: Tensors, names: dict[str, str]) -> Tensors:
    """Keys 'gradient of <built-in name>' shown as 'gradient of <the student's name>'."""
    shown = {}
    for key, value in tensors.items():
        if key.startswith("shape:") or key == "layout":
            continue
        if key.startswith("gradient of ") and key[12:] in names:
            key = f"gradient of {names[key[12:]]}"
        shown[key] = value
    return shown


def _shape_problems(inputs: Inputs, outcome: Outcome, names: dict[str, str]) -> list[str]:
    problems = []
    for name, weight in inputs["weights"].items():
        got = outcome.tensors.get(f"shape:{name}")
        if got is None:
            continue
        if tuple(got.tolist()) != tuple(weight.shape):
            problems.append(messages.shape(names.get(name, name), tuple(weight.shape), tuple(got.tolist())))
    return problems


WIDTH_FIXED = "the MLP's hidden width hard-coded as 4 * dim"
WIDTH_ROUNDED = "the MLP's hidden width computed as dim * int(mlp_ratio)"


def _width_mistake(inputs: Inputs, outcome: Outcome, in_block: bool) -> tuple[str, str] | None:
    """A hidden width of 4 * D where another was asked for, or D * int(mlp_ratio) (ratio rounded first)."""
    got = outcome.tensors.get("shape:linear1.weight")
    if got is None or got.numel() != 2:
        return None
    width, D, F_ = int(got[0]), inputs["dim"], hidden_width(inputs)
    if width == F_:
        return None
    if width == 4 * D:
        fix = (
            "self.mlp = MLP(dim, int(dim * mlp_ratio), dropout): mlp_ratio is 4 in the paper's models, but "
            "not in every model (nor in these checks)."
            if in_block
            else "use hidden_dim: fc1 = nn.Linear(dim, hidden_dim), fc2 = nn.Linear(hidden_dim, dim)."
        )
        return WIDTH_FIXED, fix
    if in_block and width == D * int(inputs["mlp_ratio"]):
        return WIDTH_ROUNDED, (
            "multiply first, then round: int(dim * mlp_ratio); dim * int(mlp_ratio) drops the "
            "fraction of a ratio like 2.5."
        )
    return None


# --------------------------------------------------------------------------------------------------
# One judge for the outputs-and-gradients cases of both exercises


def _differences(expected: Tensors, got: Tensors, tol: Tolerance, gradient_tol: Tolerance) -> list[str]:
    """Outputs at ``tol``; gradients (sums over every token, so more rounding) at ``gradient_tol``."""
    outputs = {k: v for k, v in expected.items() if not k.startswith("gradient of ")}
    gradients = {k: v for k, v in expected.items() if k.startswith("gradient of ")}
    return differences(outputs, got, tol, axes={k: OUTPUT_AXES for k in outputs}) + differences(
        gradients, got, gradient_tol
    )


def forward_judge(
    oracle: Callable[[Inputs], Tensors],
    mistakes: Sequence[Mistake],
    tol: Tolerance,
    gradient_tol: Tolerance,
    what: str,
    sizes: Callable[[Inputs], str],
) -> Judge:
    """Shapes of the student's parameters first, then outputs and gradients against the oracle; on a
    mismatch the catalogued mistake the outputs match, else the broken property."""
    in_block = what == "EncoderBlock"

    def judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
        names = student_names(_layout(outcome), in_block)
        wrong_shapes = _shape_problems(inputs, outcome, names)
        if wrong_shapes:
            text = f"the layers of your {what} have the wrong sizes for {sizes(inputs)}:\n" + "\n".join(
                wrong_shapes
            )
            named = _width_mistake(inputs, outcome, in_block)
            if named is None:
                return Verdict(False, check, text)
            return Verdict(False, check, messages.mistake(*named) + "\n" + text, mistake=named[0])
        right = oracle(inputs)
        expected, got = _renamed(right, names), _renamed(outcome.tensors, names)
        problems = _differences(expected, got, tol, gradient_tol)
        if not problems:
            return Verdict(True, check)
        for mistake in mistakes:
            try:
                wrong = mistake.produce(inputs, outcome)
            except Exception:  # a mistake that cannot be formed for these outputs does not apply
                continue
            if wrong is not None and matches(wrong, outcome.tensors, tol) and not matches(wrong, right, tol):
                return Verdict(
                    False, check, messages.mistake(mistake.name, mistake.fix), mistake=mistake.name
                )
        text, mistake = _property(what, expected, got, tol, gradient_tol)
        return Verdict(False, check, text + "\n" + "\n".join(problems), mistake=mistake)

    return judge


def _property(
    what: str, expected: Tensors, got: Tensors, tol: Tolerance, gradient_tol: Tolerance
) -> tuple[str, str | None]:
    """Which property is broken, when no catalogued mistake matches (and the mistake it names, if any)."""

    def agrees(key: str) -> bool:
        return key in got and not _differences({key: expected[key]}, {key: got[key]}, tol, gradient_tol)

    if not agrees("output"):
        if "output" in got and "output in train mode" in expected:
            return (
                f"even in eval mode (dropout off) your {what}'s output differs from fc1 -> GELU -> fc2: "
                "check the layers, their order and the activation."
            ), None
        return (
            f"your {what}'s output (eval mode) differs from the pre-norm block x = x + attn(norm1(x)); "
            "x = x + mlp(norm2(x)) with the same weights."
        ), None
    if "output in train mode" in expected and not agrees("output in train mode"):
        return (
            f"in eval mode your {what} is right, but in train mode (same random seed) it is not: the "
            "dropouts "
            "are not where the exercise puts them (after the GELU and after fc2), or drop at another "
            "rate."
        ), None
    grads = [k for k in expected if k.startswith("gradient of ")]
    missing = [k[12:] for k in grads if k not in got]
    if missing:
        fix = (
            "keep every step of forward in PyTorch, with autograd on (no .detach(), .data, torch.no_grad() "
            "or .numpy())."
        )
        return (
            messages.mistake(GRAPH_CUT, fix)
            + f"\nYour {what}'s output is right, but no gradient reaches {', '.join(missing)}."
        ), GRAPH_CUT
    wrong = [k[12:] for k in grads if not agrees(k)]
    return (
        f"your {what}'s output is right, but the gradients of {', '.join(wrong)} are not: something in "
        "forward "
        "changes the gradient (a custom backward, .data, an in-place change)."
    ), None


# --------------------------------------------------------------------------------------------------
# Exercise 2: MLP (Linear, GELU, Dropout, Linear, Dropout)


def _ff_outputs(
    inputs: Inputs,
    rewire: Callable[[nn.TransformerEncoderLayer], None] | None = None,
    activation: str | Callable = "gelu",
    dropout: float | None = None,
    dropout_in_eval: bool = False,
    gradients: bool = False,
) -> Tensors:
    """The built-in's feed-forward sublayer (``_ff_block``) on x: eval output (and gradients), and the
    train output under the harness's seed; optionally rewired to make a mistake."""
    p = inputs["dropout"] if dropout is None else dropout
    layer = oracle_layer(inputs, dropout=p, activation=activation)
    params = {n: layer.get_parameter(n) for n in calls.MLP_NAMES}
    if rewire is not None:
        rewire(layer)
    if gradients:
        result = with_gradients(inputs, layer._ff_block, params)
    else:
        layer.train(dropout_in_eval)
        with torch.no_grad(), calls.seeded_rng(inputs["seed"] + calls.EVAL_SEED):
            result = {"output": layer._ff_block(inputs["x"])}
    layer.train()
    with torch.no_grad(), calls.seeded_rng(inputs["seed"] + calls.TRAIN_SEED):
        result["output in train mode"] = layer._ff_block(inputs["x"])
    return result


def _mlp_oracle(inputs: Inputs) -> Tensors:
    return _ff_outputs(inputs, gradients=True)


def _no_dropout(*names: str) -> Callable[[nn.TransformerEncoderLayer], None]:
    def rewire(layer: nn.TransformerEncoderLayer) -> None:
        for name in names:
            setattr(layer, name, nn.Identity())

    return rewire


def _dropout_before_activation(layer: nn.TransformerEncoderLayer) -> None:
    layer.linear1 = nn.Sequential(layer.linear1, layer.dropout)  # dropout on the pre-activation
    layer.dropout = nn.Identity()


def _without_activation(layer: nn.TransformerEncoderLayer) -> None:
    layer.activation = nn.Identity()


def _activation_after_fc2(layer: nn.TransformerEncoderLayer) -> None:
    layer.linear2 = nn.Sequential(layer.linear2, nn.GELU())


def _normalised_input(layer: nn.TransformerEncoderLayer) -> None:
    layer.linear1 = nn.Sequential(
        nn.LayerNorm(layer.linear1.in_features), layer.linear1
    )  # as initialised: (1, 0)


def _dropout_on_input(layer: nn.TransformerEncoderLayer) -> None:
    layer.linear1 = nn.Sequential(layer.dropout, layer.linear1)
    layer.dropout = nn.Identity()


def _first_of(*candidates: Callable[[Inputs], Tensors]) -> Callable[[Inputs, Outcome], Tensors | None]:
    """One mistake written several ways: the variant the student's outputs match (else the first)."""

    def produce(inputs: Inputs, outcome: Outcome) -> Tensors | None:
        made = [make(inputs) for make in candidates]
        return next((m for m in made if matches(m, outcome.tensors, MLP_TOL)), made[0])

    return produce


def _mlp_mistakes() -> list[Mistake]:
    def ff(**how) -> Callable[[Inputs, Outcome], Tensors]:
        return lambda inputs, _: _ff_outputs(inputs, **how)

    def with_residual(inputs: Inputs) -> Tensors:
        made = _ff_outputs(inputs)
        return {key: value + inputs["x"] for key, value in made.items()}

    def keep_probability(inputs: Inputs) -> Tensors | None:
        p = inputs["dropout"]
        return _ff_outputs(inputs, dropout=1 - p) if 0 < p < 1 and abs(1 - 2 * p) > 1e-6 else None

    def sigmoid_gelu(h: torch.Tensor) -> torch.Tensor:
        return h * torch.sigmoid(1.702 * h)

    return [
        Mistake(
            "ReLU instead of GELU",
            "ViT's MLP uses nn.GELU() between the two linear layers.",
            ff(activation="relu"),
        ),
        Mistake(
            "GELU with the tanh approximation",
            "use the exact GELU, nn.GELU() (approximate='none'), as nn.TransformerEncoderLayer does.",
            ff(activation=partial(F.gelu, approximate="tanh")),
        ),
        Mistake(
            "GELU approximated with a sigmoid (x * sigmoid(1.702 x))",
            "use the exact GELU, nn.GELU(): the sigmoid shortcut differs from it by up to 0.02.",
            ff(activation=sigmoid_gelu),
        ),
        Mistake(
            "no activation between the two linear layers",
            "apply nn.GELU() to fc1's output: without it the MLP is one linear map.",
            ff(rewire=_without_activation),
        ),
        Mistake(
            "GELU applied after the second linear layer too",
            "the activation sits only between fc1 and fc2: fc1 -> GELU -> dropout -> fc2 -> dropout.",
            ff(rewire=_activation_after_fc2),
        ),
        Mistake(
            "dropout placed before the activation",
            "the order is Linear, GELU, Dropout, Linear, Dropout: dropout acts on the activated features.",
            ff(rewire=_dropout_before_activation),
        ),
        Mistake(
            "dropout applied to the MLP's input instead of the GELU's output",
            "drop the hidden features: fc1 -> GELU -> dropout -> fc2 -> dropout (the input is not dropped).",
            ff(rewire=_dropout_on_input),
        ),
        Mistake(
            "the MLP normalises its input (the LayerNorm belongs to the block)",
            "leave the LayerNorm out of MLP: EncoderBlock normalises before calling it, x + mlp(norm2(x)).",
            ff(rewire=_normalised_input),
        ),
        Mistake(
            "dropout left out",
            "apply nn.Dropout(dropout) twice: after the GELU and after the second Linear.",
            _first_of(
                *(
                    partial(_ff_outputs, rewire=_no_dropout(*v))
                    for v in (("dropout", "dropout2"), ("dropout",), ("dropout2",))
                )
            ),
        ),
        Mistake(
            "dropout stays active in eval mode",
            "use nn.Dropout modules created in __init__ (they switch off under model.eval()), or pass "
            "training=self.training to F.dropout.",
            ff(dropout_in_eval=True),
        ),
        Mistake(
            "the dropout rate used as the probability to keep",
            "nn.Dropout(p) zeroes each value with probability p: pass dropout itself, not 1 - dropout.",
            lambda inputs, _: keep_probability(inputs),
        ),
        Mistake(
            "the MLP adds its input to its output (the residual belongs to the block)",
            "return the second dropout's output; EncoderBlock adds the residual: x = x + mlp(norm2(x)).",
            lambda inputs, _: with_residual(inputs),
        ),
    ]


MLP_MISTAKES = _mlp_mistakes()


def _mlp_sizes(inputs: Inputs) -> str:
    return f"MLP(dim={inputs['dim']}, hidden_dim={inputs['hidden']}) (fc1: D -> F, fc2: F -> D)"


def mlp_case(
    name: str, B: int, N: int, D: int, F_: int, dropout: float, seed: int = 0, scale: float = 1.0
) -> Case:
    def make() -> Inputs:
        g = seeded(seed)
        x = scale * torch.randn(B, N, D, generator=g)  # (B, N, D)
        grad = torch.randn(B, N, D, generator=g)
        return {
            "x": x,
            "grad": grad,
            "dim": D,
            "hidden": F_,
            "dropout": dropout,
            "seed": seed,
            "weights": mlp_weights(D, F_, seed),
        }

    return Case(
        name, make, judge=forward_judge(_mlp_oracle, MLP_MISTAKES, MLP_TOL, GRADIENT_TOL, "MLP", _mlp_sizes)
    )


MLP_EXERCISE = Exercise(
    "test_mlp",
    "MLP",
    ("MLP",),
    calls.mlp,
    None,
    MLP_MISTAKES,
    MLP_TOL,
    structural=[GRAPH_CUT, WIDTH_FIXED],
    public=[
        mlp_case(
            "D=8, F=32, dropout 0.5, 2 x 5 tokens: outputs in eval and train mode, gradients",
            2,
            5,
            8,
            32,
            0.5,
        ),
        mlp_case(
            "D=16, F=40, dropout 0.1, 3 x 7 tokens: outputs in eval and train mode, gradients",
            3,
            7,
            16,
            40,
            0.1,
            seed=1,
        ),
    ],
)


# --------------------------------------------------------------------------------------------------
# Exercise 3: EncoderBlock (pre-norm residual wiring)


def _sa(layer: nn.TransformerEncoderLayer, q: torch.Tensor, kv: torch.Tensor | None = None) -> torch.Tensor:
    kv = q if kv is None else kv
    return layer.self_attn(q, kv, kv, need_weights=False)[0]


def _block_oracle(inputs: Inputs) -> Tensors:
    layer = oracle_layer(inputs)
    return with_gradients(inputs, layer, {n: layer.get_parameter(n) for n in calls.BLOCK_NAMES})


def _block_mistakes() -> list[Mistake]:
    def wired(make: Callable[[nn.TransformerEncoderLayer, torch.Tensor], torch.Tensor], **how):
        def produce(inputs: Inputs, _: Outcome) -> Tensors:
            layer = oracle_layer(inputs, **how)
            with torch.no_grad():
                return {"output": make(layer, inputs["x"])}

        return produce

    def pre_norm(layer: nn.TransformerEncoderLayer, x: torch.Tensor) -> torch.Tensor:
        return layer(x)

    def no_norm(name: str):
        def make(layer: nn.TransformerEncoderLayer, x: torch.Tensor) -> torch.Tensor:
            setattr(layer, name, nn.Identity())
            y = x + _sa(layer, layer.norm1(x))
            return y + layer._ff_block(layer.norm2(y))

        return make

    def shared_norm(layer: nn.TransformerEncoderLayer, x: torch.Tensor) -> torch.Tensor:
        layer.norm2 = layer.norm1
        return layer(x)

    def shared_norm_second(layer: nn.TransformerEncoderLayer, x: torch.Tensor) -> torch.Tensor:
        layer.norm1 = layer.norm2  # one module for both: it holds the weights loaded last
        return layer(x)

    def no_attn_residual(layer, x):
        y = _sa(layer, layer.norm1(x))
        return y + layer._ff_block(layer.norm2(y))

    def no_mlp_residual(layer, x):
        y = x + _sa(layer, layer.norm1(x))
        return layer._ff_block(layer.norm2(y))

    def no_residuals(layer, x):
        return layer._ff_block(layer.norm2(_sa(layer, layer.norm1(x))))

    def residual_from_normalised(layer, x):
        h = layer.norm1(x)
        y = h + _sa(layer, h)
        h = layer.norm2(y)
        return h + layer._ff_block(h)

    def kv_unnormalised(layer, x):
        y = x + _sa(layer, layer.norm1(x), x)
        return y + layer._ff_block(layer.norm2(y))

    def parallel(layer, x):
        return x + _sa(layer, layer.norm1(x)) + layer._ff_block(layer.norm2(x))

    def stale_h(layer, x):
        h = layer.norm1(x)
        y = x + _sa(layer, h)
        return y + layer._ff_block(layer.norm2(h))

    def post_norm_mlp_only(layer, x):
        y = x + _sa(layer, layer.norm1(x))
        return layer.norm2(y + layer._ff_block(y))

    def post_norm_attention_only(layer, x):
        y = layer.norm1(x + _sa(layer, x))
        return y + layer._ff_block(layer.norm2(y))

    def first_match(*produces):
        """One mistake written several ways: the variant the student's output matches (else the first)."""

        def produce(inputs: Inputs, outcome: Outcome) -> Tensors:
            made = [p(inputs, outcome) for p in produces]
            return next((m for m in made if matches(m, outcome.tensors, BLOCK_TOL)), made[0])

        return produce

    def either(*makes):
        return first_match(*(wired(m) for m in makes))

    def with_mlp(rewire: Callable[[nn.TransformerEncoderLayer], None], residual: bool = False):
        def make(layer, x):
            rewire(layer)
            y = x + _sa(layer, layer.norm1(x))
            h = layer.norm2(y)
            return y + layer._ff_block(h) + (h if residual else 0)

        return make

    derived = [
        Mistake(
            f"your MLP is wrong ({name})",
            "fix MLP first (see its test above).",
            wired(make),
            catalogued=False,
        )
        for name, make in (
            ("no activation between the two linear layers", with_mlp(_without_activation)),
            ("GELU applied after the second linear layer too", with_mlp(_activation_after_fc2)),
            ("it adds its input to its output", with_mlp(lambda layer: None, residual=True)),
        )
    ] + [
        Mistake(
            "your MLP is wrong (GELU approximated with a sigmoid)",
            "fix MLP first (see its test above).",
            wired(pre_norm, activation=lambda h: h * torch.sigmoid(1.702 * h)),
            catalogued=False,
        )
    ]
    return derived + [
        Mistake(
            "post-norm instead of pre-norm",
            "normalise the input of each sublayer, not the sum: x = x + attn(norm1(x)); "
            "x = x + mlp(norm2(x)).",
            first_match(
                wired(pre_norm, norm_first=False), wired(post_norm_mlp_only), wired(post_norm_attention_only)
            ),
        ),
        Mistake(
            "the residual around the attention is missing",
            "add the attention's output to its input: x = x + attn(norm1(x)).",
            wired(no_attn_residual),
        ),
        Mistake(
            "the residual around the MLP is missing",
            "add the MLP's output to its input: x = x + mlp(norm2(x)).",
            wired(no_mlp_residual),
        ),
        Mistake(
            "both residual connections are missing",
            "each sublayer adds to its input: x = x + attn(norm1(x)); x = x + mlp(norm2(x)).",
            wired(no_residuals),
        ),
        Mistake(
            "the residual is added to the normalised input",
            "keep x itself on the residual path: x = x + attn(norm1(x)), not h = norm1(x); x = h + attn(h).",
            wired(residual_from_normalised),
        ),
        Mistake(
            "keys and values taken from the un-normalised input (only the queries are normalised)",
            "normalise once and give the same tensor as query, key and value: h = norm1(x); "
            "x = x + attn(h, h, h)[0].",
            wired(kv_unnormalised),
        ),
        Mistake(
            "the attention's input is not normalised (norm1 is never applied)",
            "normalise before the attention: h = self.norm1(x); x = x + self.attn(h, h, h)[0].",
            wired(no_norm("norm1")),
        ),
        Mistake(
            "the MLP's input is not normalised (norm2 is never applied)",
            "normalise before the MLP: x = x + self.mlp(self.norm2(x)).",
            wired(no_norm("norm2")),
        ),
        Mistake(
            "the MLP reads the block's input instead of the attention's output (sublayers in parallel)",
            "chain the two lines: the second uses the x the first one produced: x = x + attn(norm1(x)); "
            "x = x + mlp(norm2(x)).",
            wired(parallel),
        ),
        Mistake(
            "the MLP reads the attention's normalised input h instead of the updated x",
            "normalise the output of the first line: x = x + attn(h, h, h)[0]; x = x + mlp(norm2(x)), not "
            "mlp(norm2(h)).",
            wired(stale_h),
        ),
        Mistake(
            "ReLU instead of GELU",
            "ViT's MLP uses nn.GELU() between the two linear layers.",
            wired(pre_norm, activation="relu"),
        ),
        Mistake(
            "GELU with the tanh approximation",
            "use the exact GELU, nn.GELU() (approximate='none'), as nn.TransformerEncoderLayer does.",
            wired(pre_norm, activation=partial(F.gelu, approximate="tanh")),
        ),
        Mistake(
            "one LayerNorm shared by both sublayers",
            "each sublayer has its own LayerNorm: use self.norm1 before the attention and self.norm2 "
            "before the MLP.",
            either(shared_norm, shared_norm_second),
        ),
        Mistake(
            "nn.MultiheadAttention without batch_first=True (attention mixes the batch, not the tokens)",
            "create it as nn.MultiheadAttention(dim, num_heads, dropout=dropout, batch_first=True): "
            "our tokens are laid out (B, N, D).",
            wired(pre_norm, batch_first=False),
        ),
    ]


BLOCK_MISTAKES = _block_mistakes()


def _block_sizes(inputs: Inputs) -> str:
    return (
        f"EncoderBlock(dim={inputs['dim']}, num_heads={inputs['num_heads']}, "
        f"mlp_ratio={inputs['mlp_ratio']}) "
        f"(the MLP's hidden width is F = int(dim * mlp_ratio) = {hidden_width(inputs)})"
    )


TUPLE_USED = "nn.MultiheadAttention's (output, weights) pair used as a tensor"
QUERY_ONLY = "nn.MultiheadAttention called with the query only"


def explain_block_error(outcome: Outcome) -> tuple[str, str] | None:
    """The errors a block built on nn.MultiheadAttention typically raises, named."""
    text = outcome.error_message
    if outcome.error_type != "TypeError":
        return None
    if "tuple" in text and ("operand" in text or "must be Tensor" in text or "concatenate" in text):
        return TUPLE_USED, (
            "nn.MultiheadAttention returns a pair (output, attention weights): keep the output, "
            "x = x + self.attn(h, h, h, need_weights=False)[0]."
        )
    if "missing 2 required positional arguments: 'key' and 'value'" in text:
        return QUERY_ONLY, (
            "nn.MultiheadAttention takes the query, the key and the value separately; in self-attention all "
            "three are the normalised tokens: self.attn(h, h, h)."
        )
    return None


def block_inputs(
    B: int, N: int, D: int, num_heads: int, mlp_ratio: float, dropout: float, seed: int, scale: float = 1.0
) -> Inputs:
    g = seeded(seed)
    x = scale * torch.randn(B, N, D, generator=g)  # (B, N, D)
    grad = torch.randn(B, N, D, generator=g)
    return {
        "x": x,
        "grad": grad,
        "dim": D,
        "num_heads": num_heads,
        "mlp_ratio": mlp_ratio,
        "dropout": dropout,
        "seed": seed,
        "weights": block_weights(D, int(D * mlp_ratio), seed),
    }


def block_case(
    name: str,
    B: int,
    N: int,
    D: int,
    num_heads: int,
    mlp_ratio: float,
    dropout: float = 0.1,
    seed: int = 0,
    scale: float = 1.0,
) -> Case:
    return Case(
        name,
        lambda: block_inputs(B, N, D, num_heads, mlp_ratio, dropout, seed, scale),
        judge=forward_judge(
            _block_oracle, BLOCK_MISTAKES, BLOCK_TOL, BLOCK_TOL, "EncoderBlock", _block_sizes
        ),
        explain_error=explain_block_error,
    )


# --- what the block is made of ---------------------------------------------------------------------

BUILT_IN_BLOCK = "built-in block used"
SHARED_NORM = "one LayerNorm shared by both sublayers"
EXTRA_NORM = "a third LayerNorm in the block"


def _plain_containers(outcome: Outcome) -> list[str]:
    return [k.split(":", 1)[1] for k in outcome.tensors if k.startswith("plain container:")]


def _judge_structure(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    t = outcome.tensors
    if int(t["built_in"]):
        return Verdict(
            False,
            check,
            "your block contains a built-in Transformer layer "
            "(nn.TransformerEncoderLayer or the like): that is the oracle, the exercise is "
            "to wire the block yourself.\nFix: build it from nn.LayerNorm, "
            "nn.MultiheadAttention and your MLP.",
            mistake=BUILT_IN_BLOCK,
        )
    containers = _plain_containers(outcome)
    if containers:
        return Verdict(
            False,
            check,
            f"self.{', self.'.join(containers)} keeps modules in a plain Python list or "
            "dict: PyTorch does not register them, so their parameters are not the "
            "block's and block.eval() does not reach them.\nFix: store each module as an "
            "attribute (self.norm1 = ...), or use nn.ModuleList / nn.ModuleDict.",
        )
    want = sum(p.numel() for p in built_in_layer(inputs).parameters())
    got = int(t["count"])
    if int(t["shared_norm"]) or got == want - 2 * inputs["dim"]:
        return Verdict(
            False,
            check,
            messages.mistake(
                SHARED_NORM, "create two, self.norm1 = nn.LayerNorm(dim) and self.norm2 = nn.LayerNorm(dim)."
            ),
            mistake=SHARED_NORM,
        )
    if got == want + 2 * inputs["dim"]:
        return Verdict(
            False,
            check,
            messages.mistake(
                EXTRA_NORM,
                "a block has exactly two LayerNorms, norm1 and norm2, each before its sublayer; the final "
                "norm comes once, after the last block, in the ViT (notebook 5).",
            )
            + f"\nA block of width D={inputs['dim']} has {want} parameters; yours has {got}.",
            mistake=EXTRA_NORM,
        )
    if got != want:
        D, F_ = inputs["dim"], hidden_width(inputs)
        return Verdict(
            False,
            check,
            f"a block of width D={D} with MLP width F={F_} has {want} parameters: two "
            f"LayerNorms (2 x {2 * D}), nn.MultiheadAttention ({4 * D * D + 4 * D}) and the "
            f"MLP's two Linears ({2 * D * F_ + D + F_}); yours has {got}.",
        )
    return Verdict(True, check)


def structure_case(D: int = 16, num_heads: int = 4, mlp_ratio: float = 4.0) -> Case:
    sizes = {"dim": D, "num_heads": num_heads, "mlp_ratio": mlp_ratio, "dropout": 0.1, "seed": 0}
    return Case(
        f"parameters of EncoderBlock(dim={D}, num_heads={num_heads}, mlp_ratio={mlp_ratio})",
        lambda: dict(sizes),
        call=calls.block_structure,
        judge=_judge_structure,
    )


# --- train and eval mode, and the input left alone --------------------------------------------------

IN_PLACE = "the residual is added in place (x += ...), overwriting the block's input"
EVAL_DROPOUT = "dropout stays active in eval mode"
NO_DROPOUT = "dropout is never active"
ATTENTION_DROPOUT = "nn.MultiheadAttention built without the block's dropout rate"
MLP_DROPOUT = "the MLP built without the block's dropout rate"


def _wrong_modes(outcome: Outcome, when: str, training: bool) -> list[str]:
    prefix = f"training {when}:"
    return [
        k[len(prefix) :] or "the block itself"
        for k, v in outcome.tensors.items()
        if k.startswith(prefix) and bool(int(v)) != training
    ]


def _judge_modes(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    t = outcome.tensors
    changed = t["input changed"].tolist()
    if any(changed):
        return Verdict(
            False,
            check,
            messages.mistake(
                IN_PLACE,
                "write x = x + self.attn(h, h, h)[0] (a new tensor), not x += ... or x.add_(...): an "
                "in-place add changes the caller's tensor and breaks backpropagation (a leaf that requires "
                "grad cannot "
                "be changed in place).",
            ),
            mistake=IN_PLACE,
        )
    for when, training in (
        ("after train()", True),
        ("after train() and two calls", True),
        ("after eval()", False),
        ("after eval() and two calls", False),
    ):
        wrong = _wrong_modes(outcome, when, training)
        if wrong:
            mode = "train" if training else "eval"
            return Verdict(
                False,
                check,
                f"{when}, these parts of your block are not in "
                f"{mode} mode: {', '.join(wrong)}.\nFix: let nn.Module.train() and .eval() "
                "set the mode of every submodule (do not override train(), do not set "
                ".training or call .train()/.eval() on parts inside forward).",
            )
    train, evaluation = t["train"], t["eval"]
    if evaluation.dim() != 4 or not torch.equal(evaluation[0], evaluation[1]):
        return Verdict(
            False,
            check,
            messages.mistake(
                EVAL_DROPOUT,
                "use nn.Dropout modules created in __init__, or pass training=self.training to F.dropout "
                "(two calls after block.eval() gave different outputs).",
            ),
            mistake=EVAL_DROPOUT,
        )
    p = inputs["dropout"]
    if train.dim() == 4 and torch.equal(train[0], train[1]):
        return Verdict(
            False,
            check,
            messages.mistake(
                NO_DROPOUT,
                f"with dropout={p}, two calls in train mode gave the same output: pass dropout to "
                "nn.MultiheadAttention and to your MLP.",
            ),
            mistake=NO_DROPOUT,
        )
    if "attention dropout" in t and float(t["attention dropout"]) != p:
        rate = messages.number(float(t["attention dropout"]))
        return Verdict(
            False,
            check,
            messages.mistake(
                ATTENTION_DROPOUT,
                f"EncoderBlock(..., dropout={p}) made nn.MultiheadAttention with dropout={rate}: "
                "create it as nn.MultiheadAttention(dim, num_heads, dropout=dropout, "
                "batch_first=True).",
            ),
            mistake=ATTENTION_DROPOUT,
        )
    rates = t["mlp dropout rates"].tolist() if "mlp dropout rates" in t else []
    if any(rate != p for rate in rates):
        shown = ", ".join(messages.number(r) for r in rates)
        return Verdict(
            False,
            check,
            messages.mistake(
                MLP_DROPOUT,
                f"EncoderBlock(..., dropout={p}) made an MLP whose nn.Dropout rates are {shown}: create "
                "it as self.mlp = MLP(dim, int(dim * mlp_ratio), dropout).",
            ),
            mistake=MLP_DROPOUT,
        )
    return Verdict(True, check)


def modes_case(D: int = 16, num_heads: int = 4, dropout: float = 0.5, seed: int = 5) -> Case:
    return Case(
        f"dropout {dropout}: random in train mode, off in eval mode; every part in the block's mode; "
        "the input left unchanged",
        lambda: {
            "x": torch.randn(2, 6, D, generator=seeded(seed)),
            "dim": D,
            "num_heads": num_heads,
            "mlp_ratio": 4.0,
            "dropout": dropout,
            "seed": seed,
        },
        call=calls.block_modes,
        judge=_judge_modes,
        explain_error=explain_block_error,
    )


# --- from scratch ----------------------------------------------------------------------------------

#: (name, B, N) of the runs of the from-scratch check: vectorised code runs the same lines for each
SCRATCH_SIZES = [("B=1, N=4", 1, 4), ("B=3, N=4", 3, 4), ("B=1, N=9", 1, 9), ("B=2, N=7", 2, 7)]
SCRATCH_NAMES = (
    "torch.nn.TransformerEncoderLayer",
    "torch.nn.TransformerEncoder",
    "torch.nn.Transformer",
    "torch.nn.modules.transformer",
    "torchvision.models.vision_transformer",
    "timm",
    ".TransformerEncoderLayer",
    ".TransformerEncoder",
    "._transformer_encoder_layer_fwd",
)
SCRATCH_FIX = (
    "build the block from nn.LayerNorm, nn.MultiheadAttention (or your MultiHeadSelfAttention) and "
    "your MLP, on the whole (B, N, D) tensor at once: no nn.TransformerEncoderLayer, no Python loop "
    "over the batch or the tokens."
)

BLOCK_SCRATCH = Scratch(
    SCRATCH_NAMES,
    calls.block_scratch,
    lambda: {
        "runs": [torch.randn(B, N, 16, generator=seeded(7)) for _, B, N in SCRATCH_SIZES],
        "dim": 16,
        "num_heads": 4,
        "mlp_ratio": 2.0,
        "dropout": 0.1,
        "seed": 7,
    },
    calls.LABELS,
    tuple(s[0] for s in SCRATCH_SIZES),
    "the batch or the tokens",
    SCRATCH_FIX,
    "from scratch (no built-in Transformer layer, no Python loops)",
)

BLOCK = Exercise(
    "test_block",
    "EncoderBlock",
    ("EncoderBlock",),
    calls.block,
    None,
    BLOCK_MISTAKES,
    BLOCK_TOL,
    public=[
        structure_case(),
        modes_case(),
        block_case(
            "D=16, nh=4 heads of d=4, F=64, 2 x 5 tokens: outputs and gradients (eval mode)", 2, 5, 16, 4, 4.0
        ),
        block_case(
            "D=12, nh=3 heads of d=4, mlp_ratio 2.5 (F=30), 3 x 4 tokens: outputs and gradients (eval mode)",
            3,
            4,
            12,
            3,
            2.5,
            seed=1,
        ),
    ],
    scratch=BLOCK_SCRATCH,
    structural=[
        TUPLE_USED,
        QUERY_ONLY,
        BUILT_IN_BLOCK,
        EXTRA_NORM,
        IN_PLACE,
        EVAL_DROPOUT,
        NO_DROPOUT,
        ATTENTION_DROPOUT,
        MLP_DROPOUT,
        GRAPH_CUT,
        WIDTH_FIXED,
        WIDTH_ROUNDED,
    ],
)

EXERCISES = [LAYER_NORM, MLP_EXERCISE, BLOCK]
