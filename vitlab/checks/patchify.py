"""Checks for notebook 1 (patchify): oracles from PyTorch and the catalogue of typical mistakes.

Letters used in shape comments: B batch, C channels, H height, W width, P patch side,
h = H / P and w = W / P patches per column and per row, N = h * w patches, K = C * P * P values per
patch, D embedding width.

Every oracle here is a PyTorch built-in (``F.unfold``, ``F.fold``, ``F.linear``) and every mistake is
written as a re-indexing of an oracle's output, so nothing in this module is a from-scratch answer.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from vitlab.checks import guards
from vitlab.checks.core import (
    EXACT,
    FLOAT32,
    Case,
    Exercise,
    Inputs,
    Mistake,
    Outcome,
    Tensors,
    Verdict,
    require,
    seeded,
)

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

    def patch_size_as_count(inputs: Inputs, _: Outcome) -> Tensors | None:
        _, _, H, W = inputs["images"].shape
        P = inputs["patch_size"]
        if H % P or W % P or H // P < 1:
            return None
        size = (H // P, W // P)
        return {"patches": F.unfold(inputs["images"], kernel_size=size, stride=size).transpose(1, 2)}

    return [
        Mistake("a plain reshape: consecutive pixels of whole image rows, not square patches",
                "split H into (h, P) and W into (w, P) with a reshape, move the two patch-grid axes "
                "(h, w) in front with a permute, then flatten.",
                plain_reshape),
        Mistake("patches come out column-major (down the first column of patches first)",
                "patch 1 must be the top row's second patch: order the grid axes as (h, w), rows first, "
                "before flattening them into N.",
                reindexed(lambda p, i: column_major(p, *_grid(i)[2:4]))),
        Mistake("each patch is flattened as (P, P, C), channels last",
                "flatten each patch in the order of a Conv2d weight, (C, P, P): the channel axis goes "
                "before the two pixel axes.",
                reindexed(lambda p, i: channels_last(p, _grid(i)[1], i["patch_size"]))),
        Mistake("the pixels inside each patch are read column by column",
                "inside a patch keep the row axis before the column axis: (C, P_rows, P_cols).",
                reindexed(lambda p, i: transposed_pixels(p, _grid(i)[1], i["patch_size"]))),
        Mistake("the channel axis was never moved behind the patch grid (channels mixed into patches)",
                "after splitting H and W, permute so the order is (B, h, w, C, P, P) before the final reshape.",
                reindexed(lambda p, i: channel_axis_first(p, _grid(i)[1]))),
        Mistake("patch_size was used as the number of patches per side",
                "patch_size is the side of one patch in pixels: an image of H x W gives (H / P) x (W / P) patches.",
                patch_size_as_count),
    ]


def _run_patchify(patchify, inputs: Inputs) -> Tensors:
    return {"patches": patchify(inputs["images"], inputs["patch_size"])}


def _patchify_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"patches": patches_oracle(inputs["images"], inputs["patch_size"])}


PATCHIFY = Exercise("patchify", _run_patchify, _patchify_oracle, _patchify_mistakes(), EXACT)


def images(B: int, C: int, H: int, W: int, seed: int = 0, dtype=torch.float32) -> torch.Tensor:
    """A batch whose every pixel value is different, so a misplaced pixel cannot go unnoticed."""
    order = torch.randperm(B * C * H * W, generator=seeded(seed))
    return order.reshape(B, C, H, W).to(dtype)


PATCHIFY_PUBLIC = [
    Case("3-channel 4x6 images, patch size 2", lambda: {"images": images(2, 3, 4, 6), "patch_size": 2}),
    Case("1-channel 28x28 images, patch size 7", lambda: {"images": images(3, 1, 28, 28, 1), "patch_size": 7}),
    Case("28x28 images with patch size 5 (28 is not divisible by 5)",
         lambda: {"images": images(1, 1, 28, 28), "patch_size": 5}, expect_error=ValueError),
]


# --------------------------------------------------------------------------------------------------
# "From scratch": no im2col built-ins, no Python loop over batch or patches

FORBIDDEN = {F.unfold: "F.unfold / nn.Unfold", F.fold: "F.fold / nn.Fold", F.conv2d: "F.conv2d / nn.Conv2d"}
#: (name, B, C, H, W, P): sizes at which a vectorised function makes the same torch calls
SIZES = [("B=1, 2x2 patches", 1, 2, 4, 4, 2), ("B=5, 2x2 patches", 5, 2, 4, 4, 2),
         ("B=1, 3x5 patches", 1, 2, 6, 10, 2)]


def call_record(fn: Callable, make_args: Callable[[int, int, int, int, int], tuple]) -> Tensors:
    """Step 2 of the from-scratch check: torch call counts per size, and the forbidden calls seen."""
    counts, flags = [], torch.zeros(len(FORBIDDEN), dtype=torch.int64)
    for _, B, C, H, W, P in SIZES:
        calls = guards.torch_calls(fn, *make_args(B, C, H, W, P))
        counts.append(len(calls))
        for index, func in enumerate(FORBIDDEN):
            flags[index] |= int(func in calls)
    return {"call_counts": torch.tensor(counts), "forbidden": flags}


def judge_from_scratch(check: str, _: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, f"your code raised {outcome.error_type} on a small input: "
                                     f"{outcome.error_message}")
    used = [label for flag, label in zip(outcome.tensors["forbidden"].tolist(), FORBIDDEN.values()) if flag]
    if used:
        return Verdict(False, check, f"this exercise is from scratch, but your code calls {', '.join(used)}.\n"
                                     "Fix: use only reshape/view, permute/transpose and flatten.",
                       mistake="built-in used")
    counts = dict(zip((s[0] for s in SIZES), outcome.tensors["call_counts"].tolist()))
    if guards.call_count_grows(counts):
        detail = ", ".join(f"{name}: {n}" for name, n in counts.items())
        return Verdict(False, check, "your code makes more PyTorch calls for bigger inputs, so it loops in "
                                     f"Python over the batch or the patches ({detail} calls).\n"
                                     "Fix: replace the loop by reshape, permute and reshape.",
                       mistake="python loop")
    return Verdict(True, check)


def from_scratch(make_args: Callable[[int, int, int, int, int], tuple]) -> Case:
    """The from-scratch case: no im2col built-ins, no Python loop over batch or patches."""
    return Case("from scratch (no F.unfold, no Python loops)", dict,
                run=lambda fn, _: call_record(fn, make_args), judge=judge_from_scratch)


def _patchify_args(B, C, H, W, P):
    return images(B, C, H, W), P


def _unpatchify_args(B, C, H, W, P):
    return patches_oracle(images(B, C, H, W), P), P, H, W


def test_patchify(patchify) -> None:
    """Public test of exercise 1: three cases, then the from-scratch check."""
    require(PATCHIFY.verdicts(patchify, PATCHIFY_PUBLIC + [from_scratch(_patchify_args)]), "patchify")


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

    def plain_reshape(inputs: Inputs, _: Outcome) -> Tensors:
        C, _h, _w = dims(inputs)
        return {"images": inputs["patches"].reshape(-1, C, inputs["height"], inputs["width"])}

    return [
        Mistake("a plain reshape back to (B, C, H, W): the pixels land in the wrong places",
                "undo patchify step by step: reshape to (B, h, w, C, P, P), permute back to "
                "(B, C, h, P, w, P), then reshape to (B, C, H, W).", plain_reshape),
        Mistake("patches are placed column-major (down the first column first)",
                "patch n belongs at row n // w and column n % w of the patch grid.",
                from_reindexed(lambda p, i: from_column_major(p, *dims(i)[1:]))),
        Mistake("each patch is read as (P, P, C), channels last",
                "each patch vector is laid out as (C, P, P), the order patchify produced.",
                from_reindexed(lambda p, i: from_channels_last(p, dims(i)[0], i["patch_size"]))),
        Mistake("the pixels inside each patch are put back column by column",
                "inside a patch the row axis comes before the column axis.",
                from_reindexed(lambda p, i: transposed_pixels(p, dims(i)[0], i["patch_size"]))),
        Mistake("the channel axis is read before the patch grid",
                "the patch grid axes (h, w) come first in each patch tensor, the channel axis after them.",
                from_reindexed(lambda p, i: from_channel_axis_first(p, dims(i)[0]))),
    ]


def _run_unpatchify(unpatchify, inputs: Inputs) -> Tensors:
    return {"images": unpatchify(inputs["patches"], inputs["patch_size"], inputs["height"], inputs["width"])}


def _unpatchify_oracle(inputs: Inputs, _: Outcome) -> Tensors:
    return {"images": image_oracle(inputs["patches"], inputs["patch_size"], inputs["height"], inputs["width"])}


UNPATCHIFY = Exercise("unpatchify", _run_unpatchify, _unpatchify_oracle, _unpatchify_mistakes(), EXACT)


def unpatchify_case(name: str, B: int, C: int, H: int, W: int, P: int, seed: int = 0,
                    dtype=torch.float32) -> Case:
    return Case(name, lambda: {"patches": patches_oracle(images(B, C, H, W, seed, dtype), P),
                               "patch_size": P, "height": H, "width": W})


UNPATCHIFY_PUBLIC = [
    unpatchify_case("3-channel 4x6 images, patch size 2", 2, 3, 4, 6, 2),
    unpatchify_case("1-channel 28x28 images, patch size 7", 3, 1, 28, 28, 7, seed=1),
]


def test_unpatchify(unpatchify) -> None:
    """Public test of exercise 2: unpatchify undoes the oracle's patches exactly."""
    require(UNPATCHIFY.verdicts(unpatchify, UNPATCHIFY_PUBLIC + [from_scratch(_unpatchify_args)]), "unpatchify")


# --------------------------------------------------------------------------------------------------
# Exercise 3: PatchEmbedding (a linear map of flattened patches)


def linear_of(module: nn.Module) -> nn.Linear:
    proj = getattr(module, "proj", None)
    if not isinstance(proj, nn.Linear):
        raise AttributeError("PatchEmbedding needs its linear layer stored as self.proj = nn.Linear(C * P * P, D)")
    if proj.bias is None:
        raise AttributeError("self.proj has no bias: keep nn.Linear's default bias=True")
    return proj


def _run_embedding(cls, inputs: Inputs) -> Tensors:
    torch.manual_seed(inputs["seed"])
    module = cls(inputs["in_channels"], inputs["patch_size"], inputs["dim"])
    proj = linear_of(module)
    return {"tokens": module(inputs["images"]), "weight": proj.weight, "bias": proj.bias}


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
        return Mistake(f"your patchify is wrong ({mistake.name})",
                       "PatchEmbedding must use patchify; fix patchify first (see its test above).", produce,
                       catalogued=False)

    def bias_twice(inputs: Inputs, outcome: Outcome) -> Tensors:
        expected = _embedding_oracle(inputs, outcome)["tokens"]
        return {"tokens": expected + outcome.tensors["bias"]}

    return [from_patchify_mistake(m) for m in _patchify_mistakes()] + [
        Mistake("the bias is added twice", "self.proj already adds its bias; return self.proj(patches).", bias_twice),
    ]


PATCH_EMBEDDING = Exercise("PatchEmbedding", _run_embedding, _embedding_oracle, _embedding_mistakes(), FLOAT32)


def embedding_case(name: str, B: int, C: int, H: int, W: int, P: int, D: int, seed: int = 0,
                   dtype=torch.float32) -> Case:
    def make() -> Inputs:
        x = torch.randn(B, C, H, W, generator=seeded(seed), dtype=dtype)
        return {"images": x, "in_channels": C, "patch_size": P, "dim": D, "seed": seed}
    return Case(name, make)


EMBEDDING_PUBLIC = [
    embedding_case("3-channel 8x12 images, patch size 4, D=10", 2, 3, 8, 12, 4, 10),
    embedding_case("1-channel 28x28 images, patch size 7, D=16", 2, 1, 28, 28, 7, 16, seed=1),
]


def test_patch_embedding(PatchEmbedding) -> None:
    """Public test of exercise 3: tokens equal a linear map of the oracle's patches."""
    require(PATCH_EMBEDDING.verdicts(PatchEmbedding, EMBEDDING_PUBLIC), "PatchEmbedding")


# --------------------------------------------------------------------------------------------------
# Exercise 4: the same map as a Conv2d(C, D, kernel_size=P, stride=P)


def _run_as_conv(student: tuple, inputs: Inputs) -> Tensors:
    to_conv, cls = student
    torch.manual_seed(inputs["seed"])
    embedding = cls(inputs["in_channels"], inputs["patch_size"], inputs["dim"])
    proj = linear_of(embedding)
    conv = to_conv(embedding)
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"patch_embedding_as_conv should return an nn.Conv2d, not {type(conv).__name__}")
    conv_bias = conv.bias if conv.bias is not None else torch.zeros(conv.out_channels)
    return {"feature_map": conv(inputs["images"]), "weight": proj.weight, "bias": proj.bias,
            "conv_bias": conv_bias}


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

    C = lambda i: i["in_channels"]  # noqa: E731
    return [
        Mistake("the bias was not copied", "copy the linear layer's bias into conv.bias as well.",
                with_patches(lambda p, i: p, "conv_bias")),
        Mistake("the weight was reshaped as (D, P, P, C)",
                "a Conv2d weight is laid out as (D, C, P, P), like the patch vectors: reshape in that order.",
                with_patches(lambda p, i: channels_last(p, C(i), i["patch_size"]))),
        Mistake("the kernel's rows and columns are swapped",
                "reshape the weight's rows to (C, P, P) without transposing the last two axes.",
                with_patches(lambda p, i: transposed_pixels(p, C(i), i["patch_size"]))),
    ]


AS_CONV = Exercise("patch_embedding_as_conv", _run_as_conv, _as_conv_oracle, _as_conv_mistakes(), FLOAT32)

AS_CONV_PUBLIC = [
    embedding_case("3-channel 8x12 images, patch size 4, D=10", 2, 3, 8, 12, 4, 10),
    embedding_case("1-channel 28x28 images, patch size 7, D=16", 2, 1, 28, 28, 7, 16, seed=1),
]


def test_patch_embedding_as_conv(patch_embedding_as_conv, PatchEmbedding) -> None:
    """Public test of exercise 4: the Conv2d gives the embedding's tokens as a (B, D, h, w) map."""
    require(AS_CONV.verdicts((patch_embedding_as_conv, PatchEmbedding), AS_CONV_PUBLIC), "patch_embedding_as_conv")


EXERCISES = [PATCHIFY, UNPATCHIFY, PATCH_EMBEDDING, AS_CONV]
#: diagnoses that come from structural checks rather than from a Mistake's output
STRUCTURAL_MISTAKES = ["built-in used", "python loop"]
