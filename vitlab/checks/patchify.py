"""Checks for notebook 1 (patchify): oracles from PyTorch and the catalogue of typical mistakes.

Letters used in shape comments: B batch, C channels, H height, W width, P patch side,
h = H / P and w = W / P patches per column and per row, N = h * w patches, K = C * P * P values per
patch, D embedding width.

Every oracle here is a PyTorch built-in (``F.unfold``, ``F.fold``, ``F.linear``) and every mistake is
written as a re-indexing of an oracle's output, so nothing in this module is a from-scratch answer.
How the student's code is called lives in :mod:`vitlab.harness.calls.patchify`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from vitlab.checks import core, messages
from vitlab.checks.core import (
    EXACT,
    FLOAT32,
    Case,
    Exercise,
    Inputs,
    Judge,
    Mistake,
    Oracle,
    Outcome,
    Scratch,
    Tensors,
    Verdict,
    compare,
    differences,
    seeded,
)
from vitlab.harness.calls import patchify as calls

# --------------------------------------------------------------------------------------------------
# Oracles (PyTorch built-ins)


def patches_oracle(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """(B, C, H, W) -> (B, N, K) with F.unfold: row-major patches, each flattened as (C, P, P)."""
    return F.unfold(images, kernel_size=patch_size, stride=patch_size).transpose(1, 2)  # (B, N, K)


def image_oracle(patches: torch.Tensor, patch_size: int, height: int, width: int) -> torch.Tensor:
    """(B, N, K) -> (B, C, H, W) with F.fold, the inverse of :func:`patches_oracle`."""
    return F.fold(patches.transpose(1, 2), (height, width), kernel_size=patch_size, stride=patch_size)


def _grid(inputs: Inputs) -> tuple[int, int, int, int, int]:
    B, C, H, W = inputs["images"].shape
    P = inputs["patch_size"]
    return B, C, H // P, W // P, P


# --------------------------------------------------------------------------------------------------
# Re-indexings that turn correct patches into the typical wrong ones


def column_major(patches: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """Row-major patch order -> column-major (down the first column first)."""
    B, N, K = patches.shape
    return patches.reshape(B, h, w, K).transpose(1, 2).reshape(B, N, K)


def from_column_major(patches: torch.Tensor, h: int, w: int) -> torch.Tensor:
    B, N, K = patches.shape
    return patches.reshape(B, w, h, K).transpose(1, 2).reshape(B, N, K)


def channels_last(patches: torch.Tensor, C: int, P: int) -> torch.Tensor:
    """Each patch flattened as (P, P, C) instead of (C, P, P)."""
    B, N, K = patches.shape
    return patches.reshape(B, N, C, P, P).permute(0, 1, 3, 4, 2).reshape(B, N, K)


def from_channels_last(patches: torch.Tensor, C: int, P: int) -> torch.Tensor:
    B, N, K = patches.shape
    return patches.reshape(B, N, P, P, C).permute(0, 1, 4, 2, 3).reshape(B, N, K)


def transposed_pixels(patches: torch.Tensor, C: int, P: int) -> torch.Tensor:
    """Each patch's pixels read column by column (C, P_w, P_h). Its own inverse."""
    B, N, K = patches.shape
    return patches.reshape(B, N, C, P, P).transpose(-1, -2).reshape(B, N, K)


def channel_axis_first(patches: torch.Tensor, C: int) -> torch.Tensor:
    """The memory of (B, C, N, P*P) read as (B, N, K): channels never moved behind the patch grid."""
    B, N, K = patches.shape
    return patches.reshape(B, N, C, K // C).transpose(1, 2).reshape(B, N, K)


def from_channel_axis_first(patches: torch.Tensor, C: int) -> torch.Tensor:
    B, N, K = patches.shape
    return patches.reshape(B, C, N, K // C).transpose(1, 2).reshape(B, N, K)


# --------------------------------------------------------------------------------------------------
# Exercise 1: patchify


def _patchify_mistakes() -> list[Mistake]:
    def plain_reshape(inputs: Inputs, _: Outcome) -> Tensors:
        B, C, h, w, P = _grid(inputs)
        return {"patches": inputs["images"].reshape(B, h * w, C * P * P)}

    def reindexed(transform: Callable[[torch.Tensor, Inputs], torch.Tensor]):
        def produce(inputs: Inputs, _: Outcome) -> Tensors:
            return {"patches": transform(patches_oracle(inputs["images"], inputs["patch_size"]), inputs)}

        return produce

    def hw_swapped(inputs: Inputs, _: Outcome) -> Tensors | None:
        x, P = inputs["images"], inputs["patch_size"]
        B, C, H, W = x.shape
        if H % P or W % P or H == W:  # square images: the same patches
            return None
        grid = x.reshape(B, C, W // P, P, H // P, P).permute(0, 2, 4, 1, 3, 5)  # the names swapped
        return {"patches": grid.reshape(B, -1, C * P * P)}

    def reindexed_cast(inputs: Inputs, outcome: Outcome) -> Tensors | None:
        if inputs["images"].dtype == torch.float32:
            return None
        return {"patches": patches_oracle(inputs["images"], inputs["patch_size"]).float()}

    def patch_size_as_count(inputs: Inputs, _: Outcome) -> Tensors | None:
        _, _, H, W = inputs["images"].shape
        P = inputs["patch_size"]
        if H % P or W % P or H // P < 1:
            return None
        size = (H // P, W // P)
        return {"patches": F.unfold(inputs["images"], kernel_size=size, stride=size).transpose(1, 2)}

    return [
        Mistake(
            "the output is cast to float32: keep the input's dtype",
            "do not call .float() or build a new float32 tensor: reshapes and permutes keep the dtype.",
            reindexed_cast,
        ),
        Mistake(
            "a plain reshape: consecutive pixels of whole image rows, not square patches",
            "split H into (h, P) and W into (w, P) with a reshape, move the two patch-grid axes "
            "(h, w) in front with a permute, then flatten.",
            plain_reshape,
        ),
        Mistake(
            "patches come out column-major (down the first column of patches first)",
            "patch 1 must be the top row's second patch: order the grid axes as (h, w), rows first, "
            "before flattening them into N.",
            reindexed(lambda p, i: column_major(p, *_grid(i)[2:4])),
        ),
        Mistake(
            "each patch is flattened as (P, P, C), channels last",
            "flatten each patch in the order of a Conv2d weight, (C, P, P): the channel axis goes "
            "before the two pixel axes.",
            reindexed(lambda p, i: channels_last(p, _grid(i)[1], i["patch_size"])),
        ),
        Mistake(
            "the pixels inside each patch are read column by column",
            "inside a patch keep the row axis before the column axis: (C, P_rows, P_cols).",
            reindexed(lambda p, i: transposed_pixels(p, _grid(i)[1], i["patch_size"])),
        ),
        Mistake(
            "the channel axis was never moved behind the patch grid (channels mixed into patches)",
            "after splitting H and W, permute so the order is (B, h, w, C, P, P) before the final reshape.",
            reindexed(lambda p, i: channel_axis_first(p, _grid(i)[1])),
        ),
        Mistake(
            "patch_size was used as the number of patches per side",
            "patch_size is the side of one patch in pixels: an image of H x W gives (H / P) x (W / P) "
            "patches.",
            patch_size_as_count,
        ),
        Mistake(
            "the output is (B, C*P*P, N), F.unfold's layout: the patch axis and the value axis are swapped",
            "bring the axes into the order (B, h, w, C, P, P) before the last reshape, so that the patches "
            "come before the values of each patch: (B, N, C*P*P).",
            reindexed(lambda p, i: p.transpose(1, 2)),
        ),
        Mistake(
            "the height and the width are swapped (the shape read as (B, C, W, H))",
            "images are (B, C, H, W): unpack them as B, C, H, W = images.shape, then split H into (h, P).",
            hw_swapped,
        ),
    ]


def _patchify_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"patches": patches_oracle(inputs["images"], inputs["patch_size"])}


def images(B: int, C: int, H: int, W: int, seed: int = 0, dtype=torch.float32) -> torch.Tensor:
    """A batch whose every pixel value is different, so a misplaced pixel cannot go unnoticed."""
    order = torch.randperm(B * C * H * W, generator=seeded(seed))
    return order.reshape(B, C, H, W).to(dtype)


# --------------------------------------------------------------------------------------------------
# Where a misplaced value came from: every pixel of the checker's images is different, so a wrong
# value can be traced back to the pixel (or patch value) it was taken from


def _first_wrong(expected: torch.Tensor, got: torch.Tensor | None) -> tuple[int, ...] | None:
    if got is None or got.shape != expected.shape or got.dtype != expected.dtype:
        return None  # the shape or dtype message says it better
    wrong = (expected != got).nonzero()
    return tuple(int(i) for i in wrong[0]) if len(wrong) else None


def _found(haystack: torch.Tensor, value: torch.Tensor) -> tuple[int, ...] | None:
    places = (haystack == value).nonzero()
    return tuple(int(i) for i in places[0]) if len(places) else None


def _misplaced(expected: torch.Tensor, got: torch.Tensor) -> str:
    moved = int((expected != got).sum())
    return f"{moved} of {expected.numel()} values are in the wrong place"


def where_patchify(inputs: Inputs, outcome: Outcome) -> str | None:
    """'patch n (grid row i, column j), value k (channel c, row r, column s of the patch) should be ...'."""
    x, P = inputs["images"], inputs["patch_size"]  # (B, C, H, W)
    expected, got = patches_oracle(x, P), outcome.tensors.get("patches")  # (B, N, K)
    first = _first_wrong(expected, got)
    if first is None:
        return None
    b, n, k = first
    w = x.shape[-1] // P
    (i, j), (c, r, col) = divmod(n, w), (k // (P * P), (k // P) % P, k % P)
    want = f"pixel (channel {c}, row {i * P + r}, column {j * P + col})"
    source = _found(x[b], got[b, n, k])
    has = (
        f"pixel (channel {source[0]}, row {source[1]}, column {source[2]})"
        if source
        else f"{messages.number(float(got[b, n, k]))}, which is no pixel of the image"
    )
    return (
        f"{_misplaced(expected, got)}. The first: in image {b}, patch {n} (grid row {i}, column {j}) at "
        f"value {k} (channel {c}, row {r}, column {col} inside the patch) should hold {want}, "
        f"but holds {has}."
    )


def where_unpatchify(inputs: Inputs, outcome: Outcome) -> str | None:
    """'pixel (c, y, x) of image b should come from patch n, value k, but ...'."""
    p, P, H, W = inputs["patches"], inputs["patch_size"], inputs["height"], inputs["width"]  # (B, N, K)
    expected, got = image_oracle(p, P, H, W), outcome.tensors.get("images")  # (B, C, H, W)
    first = _first_wrong(expected, got)
    if first is None:
        return None
    b, c, y, x = first
    n, k = (y // P) * (W // P) + x // P, c * P * P + (y % P) * P + x % P
    source = _found(p[b], got[b, c, y, x])
    has = (
        f"value {source[1]} of patch {source[0]}"
        if source
        else f"{messages.number(float(got[b, c, y, x]))}, which is in no patch"
    )
    return (
        f"{_misplaced(expected, got)}. The first: pixel (channel {c}, row {y}, column {x}) of image {b} "
        f"should come from value {k} of patch {n}, but holds {has}."
    )


VIEW_NOT_CONTIGUOUS = core.VIEW_NOT_CONTIGUOUS  # named by core.common_error in every exercise
TUPLE_RETURNED = "a tuple returned where one tensor is expected"
NO_GRAD_COPY = "a parameter changed in place outside torch.no_grad()"
#: errors whose cause is known: (error type, words of its message) -> (mistake, fix)
KNOWN_ERRORS = {
    ("TypeError", "should be a torch.Tensor but is a tuple"): (
        TUPLE_RETURNED,
        "return only the tensor the exercise asks for (no sizes, no (output, something) pair).",
    ),
    ("RuntimeError", "a leaf Variable that requires grad is being used in an in-place operation"): (
        NO_GRAD_COPY,
        "copy into the convolution's parameters inside `with torch.no_grad():`.",
    ),
}


def explain_error(outcome: Outcome) -> tuple[str, str] | None:
    """(mistake, fix) for an error of the student's code whose cause is known, else None."""
    for (kind, words), named in KNOWN_ERRORS.items():
        if outcome.error_type == kind and words in outcome.error_message:
            return named
    return None


def located(
    where: Callable[[Inputs, Outcome], str | None], oracle: Oracle, mistakes: Sequence[Mistake]
) -> Judge:
    """The oracle comparison (EXACT: only values move) and, when no catalogued mistake matches, where the
    first misplaced value should have come from and where it came from instead."""

    def judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
        verdict = compare(check, inputs, outcome, oracle, mistakes, EXACT)
        if verdict.passed or verdict.mistake is not None:
            return verdict
        place = where(inputs, outcome)
        return Verdict(False, check, f"{place}\n{verdict.message}") if place else verdict

    return judge


#: (name, B, C, H, W, P): sizes at which vectorised code runs the same lines and torch calls (a loop over
#: the batch, the channels, the patch grid or the pixels of a patch runs more for one of them)
SIZES = [
    ("B=1, 2x2 patches", 1, 2, 4, 4, 2),
    ("B=5, 2x2 patches", 5, 2, 4, 4, 2),
    ("B=1, 3x5 patches", 1, 2, 6, 10, 2),
    ("B=1, C=3, 2x2 patches", 1, 3, 4, 4, 2),
    ("B=1, 2x2 patches of 3x3 pixels", 1, 2, 6, 6, 3),
]
#: built-ins that cut (or paste) the patches for you: the text allows only reshapes and permutes
CUTTERS = (
    "torch.nn.functional.unfold",
    "torch.nn.functional.fold",
    "torch.nn.Unfold",
    "torch.nn.Fold",
    ".unfold",
    ".unfold_copy",
    ".im2col",
    ".col2im",
    ".as_strided",
    ".as_strided_",
    ".as_strided_copy",
    ".as_strided_scatter",
    ".set_",
    ".pixel_unshuffle",
    ".pixel_shuffle",
    "torch.nn.PixelUnshuffle",
    "torch.nn.PixelShuffle",
    ".conv1d",
    ".conv2d",
    ".conv3d",
    ".conv_transpose1d",
    ".conv_transpose2d",
    ".conv_transpose3d",
    ".convolution",
    "._convolution",
    ".conv_tbc",
    ".mkldnn_convolution",
    ".cudnn_convolution",
    "._nnpack_spatial_convolution",
    ".Conv1d",
    ".Conv2d",
    ".Conv3d",
    ".ConvTranspose1d",
    ".ConvTranspose2d",
    ".ConvTranspose3d",
    ".LazyConv2d",
    ".LazyConvTranspose2d",
)
#: ways around the recorder: a function named in a string, another thread, code that behaves only when not
#: watched, the runner's frames (TRANSITION: until vitlab.checks.scratch.ALWAYS_FORBIDDEN holds them)
ESCAPES = (
    "operator.methodcaller",
    "operator.attrgetter",
    "sys.gettrace",
    "sys.getprofile",
    "sys._getframe",
    "inspect",
    "gc",
    "threading",
    "_thread",
    "concurrent",
    "multiprocessing",
    "torch.multiprocessing",
    "asyncio",
    ".f_back",
    ".f_globals",
    ".f_locals",
    ".tb_frame",
    ".gi_frame",
    ".__globals__",
    ".__subclasses__",
    ".__builtins__",
    ".__code__",
)
#: what the code of a from-scratch patchify/unpatchify may not mention
SCRATCH_NAMES = CUTTERS + ESCAPES
SCRATCH_FIX = (
    "use only reshape/view, permute/transpose/movedim and flatten/unflatten: no unfold, fold, "
    "as_strided, pixel_(un)shuffle or convolution, and no Python loop or comprehension."
)
LOOPS_OVER = "the batch, the channels, the patches or the pixels of a patch"

PATCHIFY_SCRATCH = Scratch(
    SCRATCH_NAMES,
    calls.patchify_scratch,
    lambda: {"runs": [(images(B, C, H, W), P) for _, B, C, H, W, P in SIZES]},
    calls.LABELS,
    tuple(s[0] for s in SIZES),
    LOOPS_OVER,
    SCRATCH_FIX,
    "from scratch (no unfold, no Python loops)",
)

CUT_OFF = "the output is cut off from autograd (a NumPy round trip, .detach() or .data)"
CUT_OFF_FIX = (
    "only reshape and permute the tensor you were given: gradients then flow back through it, "
    "as a model needs them to (no .numpy(), torch.tensor(...), .detach() or .data)."
)


def gradient_judge(of: str) -> Judge:
    """Judge of a harness ``*_gradient`` call: d/dx sum(f(x) * weights) must be the weights, put back in
    place (f only moves values, so each input gets the weight of the output it went to)."""

    def judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
        t = outcome.tensors
        if not t["attached"].item():
            return Verdict(False, check, messages.mistake(CUT_OFF, CUT_OFF_FIX), mistake=CUT_OFF)
        if t["grad"].numel() == 0:
            return Verdict(
                False,
                check,
                f"the gradient could not be checked: {of} returned a tensor of the "
                "wrong shape (see the other checks).",
            )
        weights, P = inputs["weights"], inputs["patch_size"]
        if of == "patchify":
            B, C, H, W = inputs["images"].shape
            expected = image_oracle(weights, P, H, W)  # (B, C, H, W)
        else:
            expected = patches_oracle(weights, P)  # (B, N, K)
        problems = differences({"gradient": expected}, {"gradient": t["grad"]}, FLOAT32)
        if problems:
            return Verdict(
                False, check, "gradients do not flow back to the right inputs:\n" + "\n".join(problems)
            )
        return Verdict(True, check)

    return judge


def patchify_gradient_case(name: str, B: int, C: int, H: int, W: int, P: int, seed: int = 0) -> Case:
    def make() -> Inputs:
        x = torch.randn(B, C, H, W, generator=seeded(seed))
        weights = torch.randn(B, (H // P) * (W // P), C * P * P, generator=seeded(seed + 1))  # (B, N, K)
        return {"images": x, "patch_size": P, "weights": weights}

    return Case(name, make, call=calls.patchify_gradient, judge=gradient_judge("patchify"))


PATCHIFY_MISTAKES = _patchify_mistakes()


def patchify_case(name: str, make: Callable[[], Inputs]) -> Case:
    """A value case of patchify (``images``, ``patch_size``), judged with the misplaced values located."""
    return Case(
        name,
        make,
        judge=located(where_patchify, _patchify_oracle, PATCHIFY_MISTAKES),
        explain_error=explain_error,
    )


PATCHIFY = Exercise(
    "test_patchify",
    "patchify",
    ("patchify",),
    calls.patchify,
    _patchify_oracle,
    PATCHIFY_MISTAKES,
    EXACT,
    public=[
        patchify_case(
            "3-channel 4x6 images, patch size 2", lambda: {"images": images(2, 3, 4, 6), "patch_size": 2}
        ),
        patchify_case(
            "1-channel 28x28 images, patch size 7",
            lambda: {"images": images(3, 1, 28, 28, 1), "patch_size": 7},
        ),
        Case(
            "28x28 images with patch size 5 (28 is not divisible by 5)",
            lambda: {"images": images(1, 1, 28, 28), "patch_size": 5},
            expect_error=ValueError,
        ),
        patchify_case(
            "float64 images (2-channel 6x6, patch size 2) keep their dtype",
            lambda: {"images": images(1, 2, 6, 6, seed=2, dtype=torch.float64), "patch_size": 2},
        ),
        patchify_gradient_case("gradients flow back to the images", 2, 3, 4, 6, 2, seed=3),
    ],
    scratch=PATCHIFY_SCRATCH,
    structural=[CUT_OFF, VIEW_NOT_CONTIGUOUS, TUPLE_RETURNED],
)


# --------------------------------------------------------------------------------------------------
# Exercise 2: unpatchify


def _unpatchify_mistakes() -> list[Mistake]:
    def from_reindexed(inverse: Callable[[torch.Tensor, Inputs], torch.Tensor]):
        def produce(inputs: Inputs, _: Outcome) -> Tensors:
            p, P = inputs["patches"], inputs["patch_size"]
            return {"images": image_oracle(inverse(p, inputs), P, inputs["height"], inputs["width"])}

        return produce

    def dims(i: Inputs) -> tuple[int, int, int]:
        P = i["patch_size"]
        return i["patches"].shape[-1] // (P * P), i["height"] // P, i["width"] // P  # C, h, w

    def hw_swapped(inputs: Inputs, _: Outcome) -> Tensors | None:
        if inputs["height"] == inputs["width"]:  # square images: the same images
            return None
        images = _unpatchify_oracle(inputs, _)["images"]  # (B, C, H, W)
        return {"images": images.reshape(*images.shape[:2], inputs["width"], inputs["height"])}

    def cast(inputs: Inputs, _: Outcome) -> Tensors | None:
        if inputs["patches"].dtype == torch.float32:
            return None
        return {"images": _unpatchify_oracle(inputs, _)["images"].float()}

    def plain_reshape(inputs: Inputs, _: Outcome) -> Tensors:
        C, _h, _w = dims(inputs)
        return {"images": inputs["patches"].reshape(-1, C, inputs["height"], inputs["width"])}

    return [
        Mistake(
            "the output is cast to float32: keep the input's dtype",
            "do not call .float() or build a new float32 tensor: reshapes and permutes keep the dtype.",
            cast,
        ),
        Mistake(
            "a plain reshape back to (B, C, H, W): the pixels land in the wrong places",
            "undo patchify step by step: reshape to (B, h, w, C, P, P), permute back to "
            "(B, C, h, P, w, P), then reshape to (B, C, H, W).",
            plain_reshape,
        ),
        Mistake(
            "patches are placed column-major (down the first column first)",
            "patch n belongs at row n // w and column n % w of the patch grid.",
            from_reindexed(lambda p, i: from_column_major(p, *dims(i)[1:])),
        ),
        Mistake(
            "each patch is read as (P, P, C), channels last",
            "each patch vector is laid out as (C, P, P), the order patchify produced.",
            from_reindexed(lambda p, i: from_channels_last(p, dims(i)[0], i["patch_size"])),
        ),
        Mistake(
            "the pixels inside each patch are put back column by column",
            "inside a patch the row axis comes before the column axis.",
            from_reindexed(lambda p, i: transposed_pixels(p, dims(i)[0], i["patch_size"])),
        ),
        Mistake(
            "the channel axis is read before the patch grid",
            "the patch grid axes (h, w) come first in each patch tensor, the channel axis after them.",
            from_reindexed(lambda p, i: from_channel_axis_first(p, dims(i)[0])),
        ),
        Mistake(
            "the height and the width are swapped in the last reshape",
            "the images are (B, C, H, W): reshape to (B, C, height, width), in that order.",
            hw_swapped,
        ),
    ]


def _unpatchify_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {
        "images": image_oracle(inputs["patches"], inputs["patch_size"], inputs["height"], inputs["width"])
    }


UNPATCHIFY_MISTAKES = _unpatchify_mistakes()


def unpatchify_case(
    name: str, B: int, C: int, H: int, W: int, P: int, seed: int = 0, dtype=torch.float32
) -> Case:
    return Case(
        name,
        lambda: {
            "patches": patches_oracle(images(B, C, H, W, seed, dtype), P),
            "patch_size": P,
            "height": H,
            "width": W,
        },
        judge=located(where_unpatchify, _unpatchify_oracle, UNPATCHIFY_MISTAKES),
        explain_error=explain_error,
    )


UNPATCHIFY = Exercise(
    "test_unpatchify",
    "unpatchify",
    ("unpatchify",),
    calls.unpatchify,
    _unpatchify_oracle,
    UNPATCHIFY_MISTAKES,
    EXACT,
    public=[
        unpatchify_case("3-channel 4x6 images, patch size 2", 2, 3, 4, 6, 2),
        unpatchify_case("1-channel 28x28 images, patch size 7", 3, 1, 28, 28, 7, seed=1),
        unpatchify_case("float64 patches keep their dtype", 1, 2, 6, 6, 2, seed=2, dtype=torch.float64),
    ],
    scratch=Scratch(
        SCRATCH_NAMES,
        calls.unpatchify_scratch,
        lambda: {"runs": [(patches_oracle(images(B, C, H, W), P), P, H, W) for _, B, C, H, W, P in SIZES]},
        calls.LABELS,
        tuple(s[0] for s in SIZES),
        LOOPS_OVER,
        SCRATCH_FIX,
        "from scratch (no fold, no Python loops)",
    ),
    structural=[VIEW_NOT_CONTIGUOUS, TUPLE_RETURNED],
)


# --------------------------------------------------------------------------------------------------
# Exercise 3: PatchEmbedding (a linear map of flattened patches)


def _embedding_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    weight, bias = outcome.tensors["weight"], outcome.tensors["bias"]
    C, P, D = inputs["in_channels"], inputs["patch_size"], inputs["dim"]
    if tuple(weight.shape) != (D, C * P * P):
        # a wrong Linear size: say so through the shape comparison of the weight itself
        return {"weight": torch.empty(D, C * P * P, dtype=weight.dtype)}
    patches = patches_oracle(inputs["images"], P)  # (B, N, K)
    return {"tokens": F.linear(patches, weight, bias)}  # (B, N, D)


def _embedding_mistakes() -> list[Mistake]:
    def from_patchify_mistake(mistake: Mistake) -> Mistake:
        def produce(inputs: Inputs, outcome: Outcome) -> Tensors | None:
            wrong = mistake.produce(inputs, outcome)
            if wrong is None or wrong["patches"].shape[-1] != outcome.tensors["weight"].shape[-1]:
                return None
            return {"tokens": F.linear(wrong["patches"], outcome.tensors["weight"], outcome.tensors["bias"])}

        return Mistake(
            f"your patchify is wrong ({mistake.name})",
            "PatchEmbedding must use patchify; fix patchify first (see its test above).",
            produce,
            catalogued=False,
        )

    def after_projection(change: Callable[[torch.Tensor], torch.Tensor]):
        def produce(inputs: Inputs, outcome: Outcome) -> Tensors:
            return {"tokens": change(_embedding_oracle(inputs, outcome)["tokens"])}  # (B, N, D)

        return produce

    def class_token(inputs: Inputs, outcome: Outcome) -> Tensors | None:
        got, expected = outcome.tensors["tokens"], _embedding_oracle(inputs, outcome)["tokens"]  # (B, N, D)
        if got.dim() != 3 or got.shape[1] != expected.shape[1] + 1:
            return None
        return {"tokens": torch.cat([got[:, :1], expected], dim=1)}  # (B, 1 + N, D): their token, then ours

    def bias_left_out(inputs: Inputs, outcome: Outcome) -> Tensors:
        patches = patches_oracle(inputs["images"], inputs["patch_size"])  # (B, N, K)
        return {"tokens": F.linear(patches, outcome.tensors["weight"])}

    bias = lambda o: o.tensors["bias"]  # noqa: E731
    activation = (
        "an activation function after the projection: the patch embedding must stay linear",
        "return self.proj(patches) as it is; the non-linearities come later, in the MLP of each block.",
    )
    return [from_patchify_mistake(m) for m in _patchify_mistakes()] + [
        Mistake(
            "the bias is added twice",
            "self.proj already adds its bias; return self.proj(patches).",
            lambda i, o: after_projection(lambda t: t + bias(o))(i, o),
        ),
        Mistake(
            "the bias is left out",
            "apply the whole layer, self.proj(patches), which adds its bias.",
            bias_left_out,
        ),
        Mistake(*activation, after_projection(F.gelu)),
        Mistake(*activation, after_projection(F.relu)),
        Mistake(*activation, after_projection(torch.tanh)),
        Mistake(
            "a class token is prepended: PatchEmbedding returns the N patch tokens only",
            "return self.proj(patchify(...)); the class token is the ViT's job (notebook 5).",
            class_token,
        ),
        Mistake(
            "a normalisation (LayerNorm) after the projection",
            "PatchEmbedding is only the linear map; the LayerNorms belong to the blocks (notebook 4).",
            after_projection(lambda t: F.layer_norm(t, t.shape[-1:])),
        ),
    ]


EMBEDDING_MISTAKES = _embedding_mistakes()
NO_PROJ = "the linear layer is not stored as self.proj = nn.Linear(C*P*P, D)"
NO_BIAS = "self.proj has no bias (bias=False)"
WRONG_SIZE = "self.proj has the wrong size: it must be nn.Linear(C*P*P, D)"
NO_PATCH_SIZE = "the patch size is not stored as self.patch_size"


def _embedding_structure(inputs: Inputs, outcome: Outcome) -> tuple[str, str] | None:
    """(mistake, fix) when the module does not hold what the text asks for, else None."""
    t = outcome.tensors
    C, P, D = inputs["in_channels"], inputs["patch_size"], inputs["dim"]
    if not t["has_proj"].item():
        return (
            NO_PROJ,
            "create the layer in __init__ as self.proj = nn.Linear(C * P * P, D): the tests and "
            "patch_embedding_as_conv look for that name.",
        )
    if not t["has_bias"].item():
        return NO_BIAS, "keep nn.Linear's default bias=True: the embedding is W x + b."
    size_in, size_out = t["linear_size"].tolist()
    if (size_in, size_out) != (C * P * P, D):
        return WRONG_SIZE, (
            f"PatchEmbedding({C}, {P}, {D}).proj is nn.Linear({size_in}, {size_out}), but a patch "
            f"of {C} channel(s) of {P}x{P} pixels holds C*P*P = {C * P * P} values and a token "
            f"has D = {D}: use nn.Linear(in_channels * patch_size * patch_size, dim)."
        )
    if t["stored_patch_size"].item() != P:
        return (
            NO_PATCH_SIZE,
            f"keep it as self.patch_size = patch_size ({P} here): patch_embedding_as_conv reads it.",
        )
    return None


def _judge_embedding(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    wrong = _embedding_structure(inputs, outcome)
    if wrong is not None:
        return Verdict(False, check, messages.mistake(*wrong), mistake=wrong[0])
    return compare(check, inputs, outcome, _embedding_oracle, EMBEDDING_MISTAKES, FLOAT32)


def embedding_case(
    name: str, B: int, C: int, H: int, W: int, P: int, D: int, seed: int = 0, dtype=torch.float32
) -> Case:
    def make() -> Inputs:
        x = torch.randn(B, C, H, W, generator=seeded(seed), dtype=dtype)
        return {"images": x, "in_channels": C, "patch_size": P, "dim": D, "seed": seed}

    return Case(name, make, judge=_judge_embedding, explain_error=explain_error)


PATCH_EMBEDDING = Exercise(
    "test_patch_embedding",
    "PatchEmbedding",
    ("PatchEmbedding",),
    calls.patch_embedding,
    _embedding_oracle,
    EMBEDDING_MISTAKES,
    FLOAT32,
    public=[
        embedding_case("3-channel 8x12 images, patch size 4, D=10", 2, 3, 8, 12, 4, 10),
        embedding_case("1-channel 28x28 images, patch size 7, D=16", 2, 1, 28, 28, 7, 16, seed=1),
    ],
    structural=[NO_PROJ, NO_BIAS, WRONG_SIZE, NO_PATCH_SIZE],
)


# --------------------------------------------------------------------------------------------------
# Exercise 4: the same map as a Conv2d(C, D, kernel_size=P, stride=P)

SHARED_STORAGE = "the Conv2d's weight shares memory with the Linear layer's weight"


def _as_conv_tokens(inputs: Inputs, outcome: Outcome, patches: torch.Tensor, bias_key: str) -> torch.Tensor:
    B, _, H, W = inputs["images"].shape
    P, D = inputs["patch_size"], inputs["dim"]
    tokens = F.linear(patches, outcome.tensors["weight"], outcome.tensors[bias_key])  # (B, N, D)
    return tokens.transpose(1, 2).reshape(B, D, H // P, W // P)  # (B, D, h, w)


def _as_conv_oracle(inputs: Inputs, outcome: Outcome) -> Tensors:
    patches = patches_oracle(inputs["images"], inputs["patch_size"])
    return {"feature_map": _as_conv_tokens(inputs, outcome, patches, "bias")}


def _as_conv_mistakes() -> list[Mistake]:
    def with_patches(transform: Callable[[torch.Tensor, Inputs], torch.Tensor], bias_key: str = "bias"):
        def produce(inputs: Inputs, outcome: Outcome) -> Tensors:
            patches = transform(patches_oracle(inputs["images"], inputs["patch_size"]), inputs)
            return {"feature_map": _as_conv_tokens(inputs, outcome, patches, bias_key)}

        return produce

    def no_stride(inputs: Inputs, outcome: Outcome) -> Tensors:
        P, D = inputs["patch_size"], inputs["dim"]
        kernel = outcome.tensors["weight"].reshape(D, -1, P, P)  # (D, C, P, P)
        return {
            "feature_map": F.conv2d(inputs["images"], kernel, outcome.tensors["bias"])
        }  # (B, D, H-P+1, W-P+1)

    def transposed_weight(inputs: Inputs, outcome: Outcome) -> Tensors:
        weight = outcome.tensors["weight"]  # (D, K)
        B, _, H, W = inputs["images"].shape
        P, D = inputs["patch_size"], inputs["dim"]
        kernel = weight.T.reshape(D, -1)  # the (K, D) memory read as (D, K)
        tokens = F.linear(patches_oracle(inputs["images"], P), kernel, outcome.tensors["bias"])  # (B, N, D)
        return {"feature_map": tokens.transpose(1, 2).reshape(B, D, H // P, W // P)}

    C = lambda i: i["in_channels"]  # noqa: E731
    return [
        Mistake(
            "the bias was not copied",
            "copy the linear layer's bias into conv.bias as well.",
            with_patches(lambda p, i: p, "conv_bias"),
        ),
        Mistake(
            "the weight was reshaped as (D, P, P, C)",
            "a Conv2d weight is laid out as (D, C, P, P), like the patch vectors: reshape in that order.",
            with_patches(lambda p, i: channels_last(p, C(i), i["patch_size"])),
        ),
        Mistake(
            "the kernel's rows and columns are swapped",
            "reshape the weight's rows to (C, P, P) without transposing the last two axes.",
            with_patches(lambda p, i: transposed_pixels(p, C(i), i["patch_size"])),
        ),
        Mistake(
            "the convolution has stride 1: it slides over every pixel instead of jumping from patch to patch",
            "build it as nn.Conv2d(C, D, kernel_size=P, stride=P).",
            no_stride,
        ),
        Mistake(
            "the weight was transposed before the reshape",
            "the Linear weight is already (D, C*P*P), one row per output channel: reshape it to "
            "(D, C, P, P) as it is, without .T.",
            transposed_weight,
        ),
    ]


EMBEDDING_CHANGED = "patch_embedding_as_conv changed the PatchEmbedding it was given"


NOT_CONV = "patch_embedding_as_conv does not return an nn.Conv2d"


def _judge_as_conv(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if not outcome.tensors["is_conv"].item():
        return Verdict(
            False,
            check,
            messages.mistake(
                NOT_CONV,
                "return the convolution itself, conv; flattening "
                "the feature map into tokens is the caller's job.",
            ),
            mistake=NOT_CONV,
        )
    verdict = compare(check, inputs, outcome, _as_conv_oracle, AS_CONV_MISTAKES, FLOAT32)
    if not verdict.passed:
        return verdict
    t = outcome.tensors
    if t.get("shares_storage", torch.tensor(0)).item():
        return Verdict(
            False,
            check,
            f"{SHARED_STORAGE}, so changing one changes the other.\nFix: build a new "
            "nn.Conv2d and copy the reshaped weight into it under torch.no_grad() "
            "(conv.weight.copy_(...)), instead of viewing the Linear's weight.",
            mistake=SHARED_STORAGE,
        )
    if "tokens_before" in t:  # the embedding worked before the conversion: it must work the same after it
        before, after = t["tokens_before"], t.get("tokens_after", torch.zeros(0))
        if after.numel() == 0 or differences({"tokens": before}, {"tokens": after}, FLOAT32):
            how = "fails" if after.numel() == 0 else "gives other tokens"
            return Verdict(
                False,
                check,
                f"{EMBEDDING_CHANGED}: after the conversion the PatchEmbedding {how}.\n"
                "Fix: only read embedding.proj; copy its reshaped weight into the new "
                "convolution, and never assign to or change the embedding's own "
                "parameters.",
                mistake=EMBEDDING_CHANGED,
            )
    return verdict


AS_CONV_MISTAKES = _as_conv_mistakes()


def as_conv_case(name: str, B: int, C: int, H: int, W: int, P: int, D: int, seed: int = 0) -> Case:
    base = embedding_case(name, B, C, H, W, P, D, seed)
    return Case(name, base.inputs, judge=_judge_as_conv, explain_error=explain_error)


AS_CONV = Exercise(
    "test_as_conv",
    "patch_embedding_as_conv",
    ("patch_embedding_as_conv", "PatchEmbedding"),
    calls.as_conv,
    _as_conv_oracle,
    AS_CONV_MISTAKES,
    FLOAT32,
    public=[
        as_conv_case("3-channel 8x12 images, patch size 4, D=10", 2, 3, 8, 12, 4, 10),
        as_conv_case("1-channel 28x28 images, patch size 7, D=16", 2, 1, 28, 28, 7, 16, seed=1),
    ],
    structural=[NOT_CONV, NO_GRAD_COPY, SHARED_STORAGE, EMBEDDING_CHANGED],
)

EXERCISES = [PATCHIFY, UNPATCHIFY, PATCH_EMBEDDING, AS_CONV]
