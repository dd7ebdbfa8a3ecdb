"""Hidden cases for notebook 1: other shapes, non-square images, P = 1 and P = H = W, float64, the
meta device, and the parameter count of PatchEmbedding."""

from __future__ import annotations

import torch

from vitlab.checks import patchify as public
from vitlab.checks.core import Case, Inputs, Outcome, Verdict, seeded
from vitlab.harness.calls import patchify as calls


def _meta_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    B, C, H, W = inputs["shape"]
    P = inputs["patch_size"]
    want = [B, (H // P) * (W // P), C * P * P]
    got = outcome.tensors["shape"].tolist()
    on_meta = bool(outcome.tensors["on_meta"].item())
    if got != want or not on_meta:
        return Verdict(
            False,
            check,
            f"expected shape {tuple(want)} on the input's device; got {tuple(got)}"
            f"{'' if on_meta else ' on another device'}",
        )
    return Verdict(True, check)


def _unpatchify_meta_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    B, N, K = inputs["shape"]
    P, H, W = inputs["patch_size"], inputs["height"], inputs["width"]
    want = [B, K // (P * P), H, W]
    got = outcome.tensors["shape"].tolist()
    on_meta = bool(outcome.tensors["on_meta"].item())
    if got != want or not on_meta:
        return Verdict(
            False,
            check,
            f"expected shape {tuple(want)} on the input's device; got {tuple(got)}"
            f"{'' if on_meta else ' on another device'}",
        )
    return Verdict(True, check)


def _unpatchify_gradient_case(name: str, B: int, C: int, H: int, W: int, P: int, seed: int) -> Case:
    def make() -> Inputs:
        patches = torch.randn(B, (H // P) * (W // P), C * P * P, generator=seeded(seed))  # (B, N, K)
        weights = torch.randn(B, C, H, W, generator=seeded(seed + 1))  # (B, C, H, W)
        return {"patches": patches, "patch_size": P, "height": H, "width": W, "weights": weights}

    return Case(name, make, call=calls.unpatchify_gradient, judge=public.gradient_judge("unpatchify"))


def _parameter_count_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    C, P, D = inputs["in_channels"], inputs["patch_size"], inputs["dim"]
    want = C * P * P * D + D
    got = int(outcome.tensors["count"])
    if got != want:
        return Verdict(
            False,
            check,
            f"PatchEmbedding should hold exactly one Linear(C*P*P, D): {want} "
            f"parameters for C={C}, P={P}, D={D}; yours has {got}.",
        )
    return Verdict(True, check)


HIDDEN = {
    "test_patchify": [
        public.patchify_case(
            "3-channel 12x8 images (taller than wide), patch size 4",
            lambda: {"images": torch.randn(4, 3, 12, 8, generator=seeded(101)), "patch_size": 4},
        ),
        public.patchify_case(
            "patch size 1 (every pixel is a patch)",
            lambda: {"images": torch.randn(2, 3, 5, 7, generator=seeded(102)), "patch_size": 1},
        ),
        public.patchify_case(
            "patch size equal to the image (a single patch)",
            lambda: {"images": torch.randn(3, 2, 6, 6, generator=seeded(103)), "patch_size": 6},
        ),
        public.patchify_case(
            "batch of one 3x32x32 image, patch size 8",
            lambda: {"images": public.images(1, 3, 32, 32, seed=104), "patch_size": 8},
        ),
        public.patchify_case(
            "float64 3-channel 6x9 images (not square), patch size 3",
            lambda: {"images": public.images(2, 3, 6, 9, seed=105, dtype=torch.float64), "patch_size": 3},
        ),
        Case(
            "width not divisible by the patch size",
            lambda: {"images": torch.zeros(1, 1, 8, 10), "patch_size": 4},
            expect_error=ValueError,
        ),
        Case(
            "height not divisible by the patch size",
            lambda: {"images": torch.zeros(1, 3, 9, 12), "patch_size": 4},
            expect_error=ValueError,
        ),
        Case(
            "the output stays on the input's device",
            lambda: {"shape": (2, 3, 8, 4), "patch_size": 2},
            call=calls.patchify_on_meta,
            judge=_meta_judge,
        ),
    ],
    "test_unpatchify": [
        public.unpatchify_case("3-channel 12x8 images, patch size 4", 4, 3, 12, 8, 4, seed=201),
        public.unpatchify_case("patch size 1", 2, 3, 5, 7, 1, seed=202),
        public.unpatchify_case("a single patch", 3, 2, 6, 6, 6, seed=203),
        public.unpatchify_case(
            "float64 patches of 3-channel 6x9 images (not square), patch size 3",
            2,
            3,
            6,
            9,
            3,
            seed=204,
            dtype=torch.float64,
        ),
        Case(
            "the output stays on the input's device",
            lambda: {"shape": (2, 6, 12), "patch_size": 2, "height": 4, "width": 6},
            call=calls.unpatchify_on_meta,
            judge=_unpatchify_meta_judge,
        ),
        _unpatchify_gradient_case("gradients flow back to the patches", 2, 3, 6, 4, 2, seed=205),
    ],
    "test_patch_embedding": [
        public.embedding_case("3-channel 12x8 images, patch size 4, D=5", 3, 3, 12, 8, 4, 5, seed=301),
        public.embedding_case("patch size 1, D=7", 2, 2, 3, 5, 1, 7, seed=302),
        public.embedding_case("a single 16x16 patch, D=32", 2, 3, 16, 16, 16, 32, seed=303),
        Case(
            "exactly the parameters of one Linear(C*P*P, D)",
            lambda: {"in_channels": 3, "patch_size": 4, "dim": 24},
            call=calls.parameter_count,
            judge=_parameter_count_judge,
        ),
    ],
    "test_as_conv": [
        public.as_conv_case("3-channel 12x8 images, patch size 4, D=5", 3, 3, 12, 8, 4, 5, seed=401),
        public.as_conv_case("patch size 1, D=7", 2, 2, 3, 5, 1, 7, seed=402),
        public.as_conv_case("a single 16x16 patch, D=32", 2, 3, 16, 16, 16, 32, seed=403),
    ],
}
