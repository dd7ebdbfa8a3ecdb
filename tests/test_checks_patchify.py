"""Notebook 1's checks on their own: oracles against closed forms, the located diagnoses, the gradient
and as_conv judges, and both halves of the from-scratch check on small pieces of code."""

from __future__ import annotations

import operator

import pytest
import torch
import torch.nn.functional as F

from vitlab.checks import core, scratch
from vitlab.checks import patchify as P
from vitlab.checks.core import Outcome
from vitlab.harness import scratch as recorder
from vitlab.harness.calls import patchify as calls


def _closed_form(images: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = images.shape
    grid = images.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 3, 5)  # (B, h, w, C, P, P)
    return grid.reshape(B, (H // p) * (W // p), C * p * p)


@pytest.mark.parametrize(
    "shape,p", [((2, 3, 4, 6), 2), ((1, 1, 28, 28), 7), ((2, 2, 5, 7), 1), ((1, 3, 6, 6), 6)]
)
def test_oracles_match_the_closed_form_and_invert_each_other(shape, p):
    x = P.images(*shape)
    patches = P.patches_oracle(x, p)
    assert torch.equal(patches, _closed_form(x, p))
    assert torch.equal(P.image_oracle(patches, p, *shape[2:]), x)


def test_a_misplaced_patch_value_is_traced_back_to_its_pixel():
    x = P.images(1, 1, 4, 4)
    got = P.patches_oracle(x, 2).clone()
    got[0, 1, 3] = x[0, 0, 3, 0]  # patch 1's last value taken from pixel (row 3, column 0)
    text = P.where_patchify({"images": x, "patch_size": 2}, Outcome({"patches": got}))
    assert "1 of 16 values are in the wrong place" in text
    assert "patch 1 (grid row 0, column 1)" in text and "channel 0, row 1, column 1 inside the patch" in text
    assert (
        "should hold pixel (channel 0, row 1, column 3), but holds pixel (channel 0, row 3, column 0)" in text
    )


def test_a_misplaced_image_pixel_is_traced_back_to_its_patch():
    x = P.images(1, 2, 4, 6)
    patches = P.patches_oracle(x, 2)
    got = x.clone()
    got[0, 1, 2, 5] = patches[0, 0, 0]
    text = P.where_unpatchify(
        {"patches": patches, "patch_size": 2, "height": 4, "width": 6}, Outcome({"images": got})
    )
    assert "pixel (channel 1, row 2, column 5) of image 0 should come from value 5 of patch 5" in text
    assert "holds value 0 of patch 0" in text


def test_no_location_for_a_wrong_shape_or_dtype():
    x = P.images(1, 1, 4, 4)
    inputs = {"images": x, "patch_size": 2}
    assert P.where_patchify(inputs, Outcome({"patches": torch.zeros(1, 16, 1)})) is None
    assert P.where_patchify(inputs, Outcome({"patches": P.patches_oracle(x, 2).double()})) is None


def test_gradient_judge_names_a_cut_graph_and_passes_a_true_gradient():
    case = P.patchify_gradient_case("g", 2, 3, 4, 6, 2)
    inputs = case.inputs()
    judge = P.gradient_judge("patchify")
    cut = judge("c", inputs, Outcome({"attached": torch.tensor(0), "grad": torch.zeros(0)}))
    assert not cut.passed and cut.mistake == P.CUT_OFF
    ok = calls.patchify_gradient({"patchify": _closed_form}, inputs)
    assert judge("c", inputs, Outcome(ok)).passed
    wrong = calls.patchify_gradient({"patchify": lambda x, p: _closed_form(x, p) * 2}, inputs)
    verdict = judge("c", inputs, Outcome(wrong))
    assert not verdict.passed and "gradients do not flow back to the right inputs" in verdict.message


def test_as_conv_judge_says_the_embedding_was_changed():
    case = P.AS_CONV.public[0]
    inputs = case.inputs()
    C, p, D = inputs["in_channels"], inputs["patch_size"], inputs["dim"]
    weight, bias = torch.randn(D, C * p * p), torch.randn(D)
    conv_weight = weight.reshape(D, C, p, p)
    tokens = F.linear(P.patches_oracle(inputs["images"], p), weight, bias)
    outputs = {
        "is_conv": torch.tensor(1),
        "feature_map": F.conv2d(inputs["images"], conv_weight, bias, stride=p),
        "weight": weight,
        "bias": bias,
        "conv_bias": bias,
        "shares_storage": torch.tensor(0),
        "tokens_before": tokens,
    }
    assert P._judge_as_conv("c", inputs, Outcome({**outputs, "tokens_after": tokens})).passed
    for after in (torch.zeros(0), tokens + 1):
        verdict = P._judge_as_conv("c", inputs, Outcome({**outputs, "tokens_after": after}))
        assert not verdict.passed and verdict.mistake == P.EMBEDDING_CHANGED


def _code_half(source: str) -> list[str]:
    return scratch.code_violations(P.PATCHIFY_SCRATCH, [("patchify", source)], ("patchify",))


REFERENCE = """
def patchify(images, patch_size):
    B, C, H, W = images.shape
    x = images.unflatten(2, (H // patch_size, patch_size)).unflatten(4, (W // patch_size, patch_size))
    return torch.einsum("bchpwq->bhwcpq", x).flatten(3).flatten(1, 2)
"""


@pytest.mark.parametrize(
    "body",
    [
        "F.pixel_unshuffle(images, patch_size)",
        "torch.unfold_copy(images, 2, patch_size, patch_size)",
        "images.new_empty(0).set_(images.untyped_storage())",
        "torch.convolution(images, images, None, [1], [0], [1], False, [0], 1)",
        "nn.functional.conv3d(images, images)",
        "operator.methodcaller('unfold', 2, 2, 2)(images)",
        "sys.gettrace()",
        "concurrent.futures.ThreadPoolExecutor(1)",
        "sys._getframe(0).f_back",
    ],
)
def test_code_half_rejects_the_ways_around(body):
    source = (
        f"import operator, sys, concurrent.futures\nimport torch.nn.functional as F\nfrom torch import nn\n"
        f"def patchify(images, patch_size):\n    return {body}\n"
    )
    assert _code_half(source), body


def test_code_half_accepts_reshapes_permutes_and_einsum():
    assert _code_half(REFERENCE) == []


@pytest.mark.parametrize(
    "fn,label",
    [
        (lambda x: F.pixel_unshuffle(x, 2), "F.pixel_unshuffle / F.pixel_shuffle"),
        (lambda x: torch.unfold_copy(x, 2, 2, 2), "Tensor.unfold"),
        (
            lambda x: torch.convolution(
                x, torch.ones(1, 2, 2, 2), None, [2, 2], [0, 0], [1, 1], False, [0, 0], 1
            ),
            "a convolution",
        ),
        (
            lambda x: operator.attrgetter("ops.aten.im2col")(torch)(x, [2, 2], [1, 1], [0, 0], [2, 2]),
            "torch.ops.aten.im2col",
        ),
    ],
)
def test_run_half_sees_the_built_ins_by_identity(fn, label):
    record = recorder.watch(fn, (torch.randn(1, 2, 4, 4),), calls.FORBIDDEN)
    assert label in record.seen


def test_run_half_sees_a_loop_over_the_pixels_of_a_patch():
    def loop(images, p):  # the same count at every P=2 size: only the P=3 size shows it
        return torch.stack([images[:, :, i::p, j::p] for i in range(p) for j in range(p)], 2)

    runs = [(P.images(B, C, H, W), p) for _, B, C, H, W, p in P.SIZES]
    record = recorder.across_sizes(((loop, run) for run in runs), calls.LABELS, calls.FORBIDDEN)
    counts = record["torch_calls"]
    assert len(set(counts[:-1].tolist())) == 1 and counts[-1] != counts[0]


def _error_of(fn) -> Outcome:
    try:
        fn()
    except Exception as error:  # the error PyTorch itself raises, so that its wording is this version's
        return Outcome(error_type=type(error).__name__, error_message=str(error))
    raise AssertionError("no error raised")


def test_known_errors_are_named_from_pytorchs_own_messages():
    def view_after_permute():
        torch.zeros(2, 3, 4).permute(0, 2, 1).view(2, 12)

    def copy_into_parameter():
        torch.nn.Conv2d(1, 2, 2).weight[:] = 0

    # named by the checks library for every exercise (core.common_error), after the exercise's own
    assert core.common_error(_error_of(view_after_permute))[0] == P.VIEW_NOT_CONTIGUOUS
    assert P.explain_error(_error_of(copy_into_parameter))[0] == P.NO_GRAD_COPY
    tuple_out = Outcome(
        error_type="TypeError", error_message="patches should be a torch.Tensor but is a tuple"
    )
    assert P.explain_error(tuple_out)[0] == P.TUPLE_RETURNED
    assert (
        P.explain_error(Outcome(error_type="RuntimeError", error_message="shape '[2, 5]' is invalid")) is None
    )


def test_trained_kernels_are_found_by_shape_and_absent_files_draw_nothing(tmp_path):
    from vitlab.plots import patches as plots

    kernels = torch.randn(8, 1, 4, 4)
    state = {
        "conv_proj.weight": kernels,
        "conv_proj.bias": torch.zeros(8),
        "heads.head.weight": torch.randn(10, 8),
    }
    torch.save({"config": {"patch_size": 4}, "state": state, "accuracy": 0.9}, tmp_path / "course_vit.pt")
    found, described = plots.trained_patch_kernels(tmp_path / "course_vit.pt")
    assert torch.equal(found, kernels) and "0.900" in described
    assert plots.trained_patch_kernels(tmp_path / "missing.pt") is None
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    assert plots.trained_patch_kernels(tmp_path / "junk.pt") is None
    smooth = torch.linspace(-1, 1, 4).expand(8, 1, 4, 4)  # the same ramp in every row
    assert (
        plots.neighbour_correlation(smooth) > 0.5 > abs(plots.neighbour_correlation(torch.randn(64, 1, 4, 4)))
    )
