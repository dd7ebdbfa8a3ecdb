"""Checks for notebook 4's first exercise, ``layer_norm(x, weight, bias, eps=1e-5)`` from scratch.

Letters used in shape comments: B batch, N tokens, D features (the last axis, the one LayerNorm
normalises); x̂ the normalised features, before the weight and the bias.

The oracle is ``F.layer_norm`` computed in float64 on the case's own tensors (float32 inputs are
widened, the results rounded back to float32), so a correct answer differs from it only by its own
rounding. Every mistake is the same formula with one thing changed (the axes of the statistics, the
variance's divisor, where eps goes, the affine terms...), written here with plain torch operations on
float64 copies; nothing in this module is a from-scratch answer in the student's dtype. The exercise
is registered by :mod:`vitlab.checks.block` (topic "block"); the student's function is called by
:func:`vitlab.harness.calls.block.layer_norm`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from vitlab.checks import messages
from vitlab.checks.core import (
    FLOAT64,
    Case,
    Exercise,
    Inputs,
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
from vitlab.harness.calls import block as calls

#: the default of the exercise's signature, and of nn.LayerNorm
DEFAULT_EPS = 1e-5
#: float32 inputs: one rounding per operation over D features. Five correct formulas (two-pass,
#: torch.var_mean, sums divided by D, ...) on 320 cases stayed within 1.2e-6 of the largest value
FLOAT32_NORM = Tolerance(1e-5, 1e-6, of_largest=1e-5)
#: the same tokens shifted by 1000, in float32: x itself is rounded to 6e-5 there and a correct answer
#: stays within 1e-4 of the largest value; mean(x²) - mean(x)² loses every digit (errors of 0.1 to NaN)
SHIFTED_TOL = Tolerance(1e-3, 1e-4, of_largest=1e-3)

GRADIENTS = ("gradient of x", "gradient of weight", "gradient of bias")


def tolerance_for(x: torch.Tensor) -> Tolerance:
    return FLOAT64 if x.dtype == torch.float64 else FLOAT32_NORM


def _eps(inputs: Inputs) -> float:
    eps = inputs.get("eps")
    return DEFAULT_EPS if eps is None else float(eps)


def _axes(ndim: int) -> tuple[str, ...]:
    """Names of x's axes for messages: the last one is always the features."""
    named = {1: ("feature",), 2: ("token", "feature"), 3: ("batch", "token", "feature")}
    return named.get(ndim, (*(f"axis {i}" for i in range(ndim - 1)), "feature"))


# --------------------------------------------------------------------------------------------------
# The oracle: F.layer_norm in float64


def layer_norm_oracle(inputs: Inputs) -> Tensors:
    """F.layer_norm over the last axis: the output and the gradients of sum(output * grad) w.r.t. x,
    weight and bias (and the output for x + shift, when the case shifts x), in x's dtype."""
    dtype = inputs["x"].dtype
    x, weight, bias = (inputs[n].detach().double().requires_grad_(True) for n in ("x", "weight", "bias"))
    D = x.shape[-1]
    out = F.layer_norm(x, (D,), weight, bias, _eps(inputs))  # (..., D)
    grads = torch.autograd.grad(out, [x, weight, bias], inputs["grad"].double())
    result = {"output": out.detach().to(dtype)}
    result.update({name: g.to(dtype) for name, g in zip(GRADIENTS, grads, strict=True)})
    if "shift" in inputs:
        shifted = (inputs["x"] + inputs["shift"]).double()  # rounded in x's dtype first, as the student's
        with torch.no_grad():
            wide = F.layer_norm(
                shifted, (D,), inputs["weight"].double(), inputs["bias"].double(), _eps(inputs)
            )
        result[calls.SHIFTED] = wide.to(dtype)
    return result


# --------------------------------------------------------------------------------------------------
# The catalogue: the formula with one thing changed (float64, rounded to x's dtype at the end)

Formula = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, float], "torch.Tensor | None"]


def _formula_outputs(formula: Formula, inputs: Inputs) -> Tensors | None:
    """The formula's output and its gradients (float64, rounded to x's dtype), or None where it does not
    apply (a 1-D x has no token axis; statistics without keepdim broadcast only for some shapes)."""
    dtype = inputs["x"].dtype
    x, w, b = (inputs[n].detach().double().requires_grad_(True) for n in ("x", "weight", "bias"))
    try:
        with warnings.catch_warnings():  # an unbiased variance of one feature warns (and is NaN)
            warnings.simplefilter("ignore", UserWarning)
            out = formula(x, w, b, _eps(inputs))
    except RuntimeError:  # shapes that do not broadcast: this variant raises instead
        return None
    if out is None or tuple(out.shape) != tuple(x.shape):
        return None
    grads = torch.autograd.grad(out, [x, w, b], inputs["grad"].double(), allow_unused=True)
    made = {"output": out.detach().to(dtype)}
    made.update({k: g.to(dtype) for k, g in zip(GRADIENTS, grads, strict=True) if g is not None})
    return made


def _wrong(*formulas: Formula) -> Callable[[Inputs, Outcome], Tensors | None]:
    """A mistake written one or several ways: the variant the student's outputs match (else the first
    that applies)."""

    def produce(inputs: Inputs, outcome: Outcome) -> Tensors | None:
        made = [m for m in (_formula_outputs(f, inputs) for f in formulas) if m is not None]
        tol, got = tolerance_for(inputs["x"]), outcome.tensors
        return next(
            (m for m in made if matches(m, got, tol)),
            next((m for m in made if matches({"output": m["output"]}, got, tol)), made[0] if made else None),
        )

    return produce


def _statistics(x: torch.Tensor, dims: Sequence[int], correction: int = 0) -> tuple[torch.Tensor, ...]:
    mean = x.mean(dim=tuple(dims), keepdim=True)
    var = x.var(dim=tuple(dims), keepdim=True, correction=correction)
    return mean, var


def _over(dims: Callable[[torch.Tensor], Sequence[int] | None]) -> Formula:
    """The right formula with statistics over other axes than the last one."""

    def formula(x, w, b, eps):
        axes = dims(x)
        if axes is None:
            return None
        mean, var = _statistics(x, axes)
        return (x - mean) / torch.sqrt(var + eps) * w + b

    return formula


def _centred(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x - mean and the biased variance, over the last axis."""
    mean, var = _statistics(x, (-1,))
    return x - mean, var


def _x_hat(x: torch.Tensor, eps: float) -> torch.Tensor:
    c, var = _centred(x)
    return c / torch.sqrt(var + eps)


def _without_keepdim(x, w, b, eps):
    mean = x.mean(dim=-1)  # (...,): broadcast against the trailing axes of x, not its last one
    c = x - mean
    return c / torch.sqrt((c * c).mean(dim=-1) + eps) * w + b


def _without_keepdim_var(x, w, b, eps):
    return (x - x.mean(dim=-1)) / torch.sqrt(x.var(dim=-1, correction=0) + eps) * w + b


def _but_last(x: torch.Tensor) -> Sequence[int] | None:
    return tuple(range(x.dim() - 1)) if x.dim() >= 2 else None


KEEPDIM = "the mean or the variance lost its last axis (keepdim=True forgotten)"
KEEPDIM_FIX = (
    "take the statistics with keepdim=True (x.mean(dim=-1, keepdim=True)): they have shape (..., 1) "
    "and broadcast against x (..., D) feature by feature; without it they are (...,) and line up with "
    "the wrong axes of x."
)


def _mistakes() -> list[Mistake]:
    def shifted_eps(x, w, b, eps):
        return None if eps == DEFAULT_EPS else _x_hat(x, DEFAULT_EPS) * w + b

    return [
        Mistake(
            "statistics over the batch or the tokens instead of each token's own features (BatchNorm's axes)",
            "LayerNorm gives every token its own mean and variance, over its D features: the last axis, "
            "x.mean(dim=-1, keepdim=True). Averaging over the batch or the tokens is what BatchNorm does.",
            _wrong(
                _over(lambda x: (0,) if x.dim() >= 2 else None),
                _over(lambda x: (-2,) if x.dim() >= 2 else None),
                _over(_but_last),
            ),
        ),
        Mistake(
            "one mean and one variance for the whole tensor instead of one per token",
            "take the statistics over the last axis only, dim=-1 with keepdim=True: each token is "
            "normalised on its own.",
            _wrong(_over(lambda x: tuple(range(x.dim())) if x.dim() >= 2 else None)),
        ),
        Mistake(
            "statistics over the last two axes (tokens and features) instead of the last one",
            "normalise over the features only, dim=-1: F.layer_norm(x, (D,)) in PyTorch's terms, not (N, D).",
            _wrong(_over(lambda x: (-2, -1) if x.dim() >= 3 else None)),
        ),
        Mistake(
            "unbiased variance (divided by D - 1 instead of D)",
            "LayerNorm uses the biased variance, the mean of (x - mean)²: x.var(dim=-1, unbiased=False) "
            "(or correction=0); torch.var and torch.std divide by D - 1 by default.",
            _wrong(
                lambda x, w, b, eps: (
                    (x - x.mean(-1, True)) / torch.sqrt(x.var(-1, keepdim=True) + eps) * w + b
                )
            ),
        ),
        Mistake(
            "unbiased standard deviation with eps outside the square root, (x - mean) / (x.std() + eps)",
            "divide by torch.sqrt(var + eps) with the biased variance (correction=0): x.std() divides by "
            "D - 1 and puts eps in the wrong place.",
            _wrong(lambda x, w, b, eps: (x - x.mean(-1, True)) / (x.std(-1, keepdim=True) + eps) * w + b),
        ),
        Mistake(
            "eps added to the standard deviation instead of the variance (outside the square root)",
            "eps goes inside the square root: (x - mean) / torch.sqrt(var + eps), not / (torch.sqrt(var) "
            "+ eps).",
            _wrong(lambda x, w, b, eps: _centred(x)[0] / (torch.sqrt(_centred(x)[1]) + eps) * w + b),
        ),
        Mistake(
            "eps left out (divided by the square root of the variance alone)",
            "add eps to the variance before the square root, torch.sqrt(var + eps): it keeps tokens with "
            "almost constant features from being blown up (or divided by zero).",
            _wrong(lambda x, w, b, eps: _x_hat(x, 0.0) * w + b),
        ),
        Mistake(
            "the eps argument is ignored (1e-5 used whatever eps is passed)",
            "use the eps your function receives: torch.sqrt(var + eps), with eps=1e-5 only as the default.",
            _wrong(shifted_eps),
        ),
        Mistake(
            "weight and bias swapped",
            "the weight multiplies and the bias adds: x̂ * weight + bias.",
            _wrong(lambda x, w, b, eps: _x_hat(x, eps) * b + w),
        ),
        Mistake(
            "the bias is added before the weight multiplies, (x̂ + bias) * weight",
            "scale first, then shift: x̂ * weight + bias.",
            _wrong(lambda x, w, b, eps: (_x_hat(x, eps) + b) * w),
        ),
        Mistake(
            "weight and bias are not applied",
            "after normalising, scale and shift feature by feature: return x̂ * weight + bias (both have "
            "shape (D,) and broadcast against (..., D)).",
            _wrong(lambda x, w, b, eps: _x_hat(x, eps)),
        ),
        Mistake(
            "divided by the variance instead of the standard deviation (square root forgotten)",
            "divide by the square root of the variance: (x - mean) / torch.sqrt(var + eps).",
            _wrong(lambda x, w, b, eps: _centred(x)[0] / (_centred(x)[1] + eps) * w + b),
        ),
        Mistake(
            "the standard deviation used where the variance goes, torch.sqrt(std + eps)",
            "the square root is taken of the variance: torch.sqrt(var + eps), with var the mean of "
            "(x - mean)², not its square root.",
            _wrong(
                lambda x, w, b, eps: _centred(x)[0] / torch.sqrt(torch.sqrt(_centred(x)[1]) + eps) * w + b,
                lambda x, w, b, eps: _centred(x)[0] / torch.sqrt(x.std(-1, keepdim=True) + eps) * w + b,
            ),
        ),
        Mistake(
            "the mean is never subtracted (that is RMSNorm, not LayerNorm)",
            "centre each token first: x - x.mean(dim=-1, keepdim=True), and take the variance of the "
            "centred features.",
            _wrong(lambda x, w, b, eps: x / torch.sqrt((x * x).mean(-1, True) + eps) * w + b),
        ),
        Mistake(
            "the variance is taken around 0, mean(x²), instead of around the mean",
            "the variance is the mean of the centred squares, ((x - mean) ** 2).mean(dim=-1, "
            "keepdim=True), or x.var(dim=-1, unbiased=False, keepdim=True).",
            _wrong(lambda x, w, b, eps: _centred(x)[0] / torch.sqrt((x * x).mean(-1, True) + eps) * w + b),
        ),
        Mistake(KEEPDIM, KEEPDIM_FIX, _wrong(_without_keepdim, _without_keepdim_var)),
    ]


MISTAKES = _mistakes()

# --------------------------------------------------------------------------------------------------
# Diagnoses the judge makes itself (structural), and errors it can explain

FLOAT32_OUTPUT = "the output is float32 for float64 inputs"
CANCELLATION = (
    "the variance is computed as mean(x²) - mean(x)², which cancels out in float32 when the features sit "
    "far from zero"
)
GRAPH_CUT = "the gradient is cut in forward (.detach(), .data, torch.no_grad() or a NumPy round trip)"
IN_PLACE = "x is changed in place (x -= mean or x.sub_(...))"
IN_PLACE_FIX = (
    "make new tensors (c = x - mean): the caller's x must stay as it was, and autograd refuses an "
    "in-place change of a tensor that requires grad."
)


def explain_error(outcome: Outcome) -> tuple[str, str] | None:
    """The errors a LayerNorm typically raises, named: statistics without keepdim, an in-place change."""
    text = outcome.error_message
    if outcome.error_type != "RuntimeError":
        return None
    if "must match the size of tensor" in text:
        return KEEPDIM, KEEPDIM_FIX
    if "in-place operation" in text and "leaf" in text:
        return IN_PLACE, IN_PLACE_FIX
    return None


def _named(check: str, name: str, fix: str, detail: str = "") -> Verdict:
    return Verdict(
        False, check, messages.mistake(name, fix) + (f"\n{detail}" if detail else ""), mistake=name
    )


def _shape_verdict(check: str, x: torch.Tensor, out: torch.Tensor) -> Verdict:
    want, got = tuple(x.shape), tuple(out.shape)
    text = f"layer_norm keeps the shape of x, (..., D) = {want}; yours returned {got}."
    if got == want[:-1]:
        text += " The feature axis is gone: the statistics are (..., 1), the output is (..., D)."
    elif len(got) > len(want):
        text += (
            " Axes were added: weight and bias are (D,) and broadcast against (..., D) as they are "
            "(no view or unsqueeze needed)."
        )
    return Verdict(False, check, text)


#: an output within this fraction of the largest value everywhere is right but for its precision
CLOSE = 1e-2


def _broken_property(inputs: Inputs, out: torch.Tensor, right: torch.Tensor) -> str:
    """What the student's output breaks: its precision when it is close everywhere, else, read through
    the inverse of weight and bias, each token's x̂ must have mean 0 and the variance var / (var + eps)
    over the features."""
    error = (out.double() - right.double()).abs().max() / right.double().abs().max().clamp(min=1e-30)
    if torch.isfinite(error) and error < CLOSE:
        return (
            f"your output is close to F.layer_norm's (within {messages.number(float(error))} of its largest "
            "value) but not within the tolerance: some step loses precision (a lower-precision dtype such as "
            "float16, a rounding, a formula that cancels); compute in x's dtype throughout."
        )
    x, w, b = (inputs[n].double() for n in ("x", "weight", "bias"))
    if w.abs().min() < 1e-3 or x.shape[-1] < 2:
        return "your output differs from F.layer_norm's."
    axes = _axes(x.dim())[:-1]
    x_hat = (
        out.double() - b
    ) / w  # (..., D): the student's normalised features, if weight and bias are right
    mean = x_hat.mean(-1)  # (...)
    bad = ~torch.isclose(mean, torch.zeros_like(mean), atol=1e-3)
    if bad.any():
        where = tuple(int(i) for i in bad.nonzero()[0])
        return (
            f"undo the weight and bias of your output, (output - bias) / weight: each token's D features "
            f"should then have mean 0, but those of the token at {messages.index_text(where, axes)} have "
            f"mean {messages.number(mean[where].item())}. LayerNorm subtracts every token's own mean over "
            "its features."
        )
    _, var = _statistics(x, (-1,))
    want = (var / (var + _eps(inputs))).squeeze(-1)  # (...): the variance of x̂
    got = x_hat.var(-1, correction=0)
    bad = ~torch.isclose(got, want, rtol=1e-3, atol=1e-6)
    if bad.any():
        where = tuple(int(i) for i in bad.nonzero()[0])
        return (
            f"(output - bias) / weight has mean 0 over each token's features, as it should, but the token "
            f"at {messages.index_text(where, axes)} has variance {messages.number(got[where].item())} where "
            f"var / (var + eps) = {messages.number(want[where].item())} is expected: divide by "
            "torch.sqrt(var + eps), var the mean of (x - mean)² over the last axis."
        )
    return (
        "each token's features have mean 0 and the right variance once weight and bias are undone, yet "
        "the values differ from F.layer_norm's: look at how weight and bias are applied (x̂ * weight + bias)."
    )


def _catalogued(inputs: Inputs, outcome: Outcome, right: Tensors, keys: Sequence[str]) -> Mistake | None:
    """The catalogued mistake whose ``keys`` match the student's outputs and not the right ones."""
    tol = tolerance_for(inputs["x"])
    for mistake in MISTAKES:
        try:
            wrong = mistake.produce(inputs, outcome)
        except Exception:  # a mistake that cannot be formed for these inputs does not apply
            continue
        if wrong is None or any(k not in wrong for k in keys):
            continue
        wrong = {k: wrong[k] for k in keys}
        if matches(wrong, outcome.tensors, tol) and not matches(wrong, {k: right[k] for k in keys}, tol):
            return mistake
    return None


def judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    """Shape and dtype, then the output (a catalogued mistake, else the broken property), the output of
    the shifted tokens, and the gradients."""
    t, x = outcome.tensors, inputs["x"]
    out = t["output"]
    if tuple(out.shape) != tuple(x.shape):
        return _shape_verdict(check, x, out)
    if out.dtype != x.dtype:
        if x.dtype == torch.float64 and out.dtype == torch.float32:
            return _named(
                check,
                FLOAT32_OUTPUT,
                "compute in x's dtype: no .float() and no torch.tensor(...) of a default dtype on the way "
                "(a Python float like eps is fine).",
            )
        return Verdict(False, check, messages.dtype("output", x.dtype, out.dtype) + ": keep x's dtype.")
    expected, tol = layer_norm_oracle(inputs), tolerance_for(x)
    axes = _axes(x.dim())
    right = {"output": expected["output"]}
    problems = differences(right, t, tol, axes={"output": axes})
    if problems:
        named = _catalogued(inputs, outcome, right, ("output",))
        if named is not None:
            return _named(check, named.name, named.fix)
        return Verdict(
            False, check, _broken_property(inputs, out, right["output"]) + "\n" + "\n".join(problems)
        )
    if calls.SHIFTED in expected:
        shifted = differences(
            {calls.SHIFTED: expected[calls.SHIFTED]}, t, SHIFTED_TOL, axes={calls.SHIFTED: axes}
        )
        if shifted:
            return _named(
                check,
                CANCELLATION,
                "take the variance of the centred features, ((x - mean) ** 2).mean(dim=-1, keepdim=True) "
                "(or x.var(dim=-1, unbiased=False, keepdim=True)): adding the same number to every feature "
                "of a token must not change its LayerNorm.",
                f"Every feature of x was shifted by {messages.number(float(inputs['shift']))}:\n"
                + "\n".join(shifted),
            )
    if not int(t["graph"]) or any(name not in t for name in GRADIENTS):
        missing = [name.removeprefix("gradient of ") for name in GRADIENTS if name not in t]
        return _named(
            check,
            GRAPH_CUT,
            "keep every step in PyTorch on the tensors you are given, with autograd on (no .detach(), "
            ".data, .item(), torch.no_grad() or .numpy()).",
            f"Your output is right, but no gradient reaches {', '.join(missing) or 'x, weight and bias'}.",
        )
    wrong_gradients = differences({k: expected[k] for k in GRADIENTS}, t, tol, axes={GRADIENTS[0]: axes})
    if wrong_gradients:
        named = _catalogued(inputs, outcome, expected, ("output", *GRADIENTS))
        if named is not None:  # a mistake too small to see in the output, but not in its gradients
            return _named(check, named.name, named.fix, "Your output is close, but its gradients show it.")
        return Verdict(
            False,
            check,
            "your output is right but its gradients are not: something between x, weight, bias and the "
            "output is not a plain differentiable torch operation (a custom autograd.Function, .data, a "
            "statistic computed without autograd).\n" + "\n".join(wrong_gradients),
        )
    return Verdict(True, check)


def layer_norm_inputs(
    shape: tuple[int, ...],
    *,
    dtype: torch.dtype = torch.float32,
    seed: int = 0,
    scale: float = 1.0,
    eps: float | None = None,
    shift: float | None = None,
) -> Inputs:
    """Tokens as a residual stream has them: each with its own offset and spread (around ``scale``), a
    weight far from 1 and a bias far from 0, and the output's gradient."""
    g = seeded(seed)
    lead, D = shape[:-1], shape[-1]
    offsets = torch.randn(*lead, 1, generator=g, dtype=torch.float64)  # (..., 1)
    spreads = torch.exp(0.5 * torch.randn(*lead, 1, generator=g, dtype=torch.float64))  # (..., 1)
    x = scale * (offsets + spreads * torch.randn(*shape, generator=g, dtype=torch.float64))  # (..., D)
    inputs = {
        "x": x.to(dtype),
        "weight": (1 + 0.5 * torch.randn(D, generator=g, dtype=torch.float64)).to(dtype),  # (D,)
        "bias": (0.5 * torch.randn(D, generator=g, dtype=torch.float64)).to(dtype),  # (D,)
        "grad": torch.randn(*shape, generator=g, dtype=torch.float64).to(dtype),  # (..., D)
    }
    if eps is not None:
        inputs["eps"] = eps
    if shift is not None:
        inputs["shift"] = shift
    return inputs


def layer_norm_case(name: str, shape: tuple[int, ...], **how) -> Case:
    return Case(name, lambda: layer_norm_inputs(shape, **how), judge=judge, explain_error=explain_error)


PUBLIC = [
    layer_norm_case("a batch of token vectors, (B, N, D) = (2, 5, 8), float32", (2, 5, 8)),
    layer_norm_case(
        "(N, D) = (6, 16), float64, features of size 0.03 and eps=1e-3 (where eps goes matters)",
        (6, 16),
        dtype=torch.float64,
        seed=1,
        scale=0.03,
        eps=1e-3,
    ),
    layer_norm_case("(B, N, D) = (3, 4, 12), float64", (3, 4, 12), dtype=torch.float64, seed=2),
    layer_norm_case(
        "(B, N, D) = (2, 7, 32), float32, then every feature shifted by 1000 (nothing may change)",
        (2, 7, 32),
        seed=3,
        shift=1000.0,
    ),
]

# --------------------------------------------------------------------------------------------------
# From scratch

#: what the code of a from-scratch layer_norm may not mention (torch._C, torch.ops... are always banned)
SCRATCH_NAMES = (
    "torch.nn.functional.layer_norm",
    ".layer_norm",
    ".native_layer_norm",
    ".LayerNorm",
    ".group_norm",
    ".native_group_norm",
    ".GroupNorm",
    ".batch_norm",
    ".native_batch_norm",
    ".BatchNorm1d",
    ".BatchNorm2d",
    ".BatchNorm3d",
    ".instance_norm",
    ".InstanceNorm1d",
    ".InstanceNorm2d",
    ".rms_norm",
    ".RMSNorm",
)
SCRATCH_FIX = (
    "compute the mean and the variance over the last axis with tensor operations (mean, var, sum, "
    "sqrt...) on the whole tensor at once: no built-in normalisation (F.layer_norm, nn.LayerNorm, "
    "group/batch/instance/RMS norm) and no Python loop over the tokens or the features."
)
#: (label, B, N, D): vectorised code runs the same lines and torch calls at every size
SIZES = [
    ("B=1, N=4, D=8", 1, 4, 8),
    ("B=3, N=4, D=8", 3, 4, 8),
    ("B=1, N=9, D=8", 1, 9, 8),
    ("B=1, N=4, D=16", 1, 4, 16),
]


def _scratch_runs() -> Inputs:
    g = seeded(11)
    runs = [
        (torch.randn(B, N, D, generator=g), 1 + torch.randn(D, generator=g), torch.randn(D, generator=g))
        for _, B, N, D in SIZES
    ]
    return {"runs": runs}


LAYER_NORM = Exercise(
    "test_layer_norm",
    "layer_norm",
    ("layer_norm",),
    calls.layer_norm,
    None,
    MISTAKES,
    FLOAT32_NORM,
    public=PUBLIC,
    scratch=Scratch(
        SCRATCH_NAMES,
        calls.layer_norm_scratch,
        _scratch_runs,
        calls.NORM_LABELS,
        tuple(s[0] for s in SIZES),
        "the tokens or the features",
        SCRATCH_FIX,
        "from scratch (no built-in normalisation, no Python loops)",
    ),
    structural=[FLOAT32_OUTPUT, CANCELLATION, GRAPH_CUT, IN_PLACE],
)
