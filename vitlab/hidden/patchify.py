"""Hidden cases for notebook 1: other shapes, non-square images, P = 1 and P = H = W, float64,
the meta device, and the from-scratch checks of unpatchify."""
from __future__ import annotations

import torch

from vitlab.checks import patchify as public
from vitlab.checks.core import Case, Inputs, Outcome, Verdict, require, seeded

# seeds and sizes differ from the public cases; values are random, not a permutation
PATCHIFY_HIDDEN = [
    Case("3-channel 12x8 images (taller than wide), patch size 4",
         lambda: {"images": torch.randn(4, 3, 12, 8, generator=seeded(101)), "patch_size": 4}),
    Case("patch size 1 (every pixel is a patch)",
         lambda: {"images": torch.randn(2, 3, 5, 7, generator=seeded(102)), "patch_size": 1}),
    Case("patch size equal to the image (a single patch)",
         lambda: {"images": torch.randn(3, 2, 6, 6, generator=seeded(103)), "patch_size": 6}),
    Case("batch of one 3x32x32 image, patch size 8",
         lambda: {"images": public.images(1, 3, 32, 32, seed=104), "patch_size": 8}),
    Case("float64 images keep their dtype",
         lambda: {"images": public.images(2, 3, 6, 9, seed=105, dtype=torch.float64), "patch_size": 3}),
    Case("width not divisible by the patch size",
         lambda: {"images": torch.zeros(1, 1, 8, 10), "patch_size": 4}, expect_error=ValueError),
    Case("height not divisible by the patch size",
         lambda: {"images": torch.zeros(1, 3, 9, 12), "patch_size": 4}, expect_error=ValueError),
]


def _meta_run(fn, inputs: Inputs) -> dict[str, torch.Tensor]:
    out = fn(torch.empty(inputs["shape"], device="meta"), inputs["patch_size"])
    return {"shape": torch.tensor(tuple(out.shape)), "on_meta": torch.tensor(int(out.device.type == "meta"))}


def _meta_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, f"your code raised {outcome.error_type}: {outcome.error_message}")
    B, C, H, W = inputs["shape"]
    P = inputs["patch_size"]
    want = [B, (H // P) * (W // P), C * P * P]
    if outcome.tensors["shape"].tolist() != want or not outcome.tensors["on_meta"].item():
        return Verdict(False, check, f"expected shape {tuple(want)} on the input's device; got "
                                     f"{tuple(outcome.tensors['shape'].tolist())}"
                                     f"{'' if outcome.tensors['on_meta'].item() else ' on another device'}")
    return Verdict(True, check)


DEVICE_CASE = Case("the output stays on the input's device", lambda: {"shape": (2, 3, 8, 4), "patch_size": 2},
                   run=_meta_run, judge=_meta_judge)


def test_patchify(patchify) -> None:
    cases = PATCHIFY_HIDDEN + [DEVICE_CASE, public.from_scratch(public._patchify_args)]
    require(public.PATCHIFY.verdicts(patchify, cases), "patchify (hidden)")


UNPATCHIFY_HIDDEN = [
    public.unpatchify_case("3-channel 12x8 images, patch size 4", 4, 3, 12, 8, 4, seed=201),
    public.unpatchify_case("patch size 1", 2, 3, 5, 7, 1, seed=202),
    public.unpatchify_case("a single patch", 3, 2, 6, 6, 6, seed=203),
    public.unpatchify_case("float64 keeps its dtype", 2, 3, 6, 9, 3, seed=204, dtype=torch.float64),
]


def test_unpatchify(unpatchify) -> None:
    cases = UNPATCHIFY_HIDDEN + [public.from_scratch(public._unpatchify_args)]
    require(public.UNPATCHIFY.verdicts(unpatchify, cases), "unpatchify (hidden)")


def _parameter_count_run(cls, inputs: Inputs) -> dict[str, torch.Tensor]:
    module = cls(inputs["in_channels"], inputs["patch_size"], inputs["dim"])
    return {"count": torch.tensor(sum(p.numel() for p in module.parameters()))}


def _parameter_count_judge(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, f"your code raised {outcome.error_type}: {outcome.error_message}")
    C, P, D = inputs["in_channels"], inputs["patch_size"], inputs["dim"]
    want = C * P * P * D + D
    got = int(outcome.tensors["count"])
    if got != want:
        return Verdict(False, check, f"PatchEmbedding should hold exactly one Linear(C*P*P, D): {want} "
                                     f"parameters for C={C}, P={P}, D={D}; yours has {got}.")
    return Verdict(True, check)


EMBEDDING_HIDDEN = [
    public.embedding_case("3-channel 12x8 images, patch size 4, D=5", 3, 3, 12, 8, 4, 5, seed=301),
    public.embedding_case("patch size 1, D=7", 2, 2, 3, 5, 1, 7, seed=302),
    public.embedding_case("a single 16x16 patch, D=32", 2, 3, 16, 16, 16, 32, seed=303),
    Case("exactly the parameters of one Linear(C*P*P, D)",
         lambda: {"in_channels": 3, "patch_size": 4, "dim": 24}, run=_parameter_count_run,
         judge=_parameter_count_judge),
]


def test_patch_embedding(PatchEmbedding) -> None:
    require(public.PATCH_EMBEDDING.verdicts(PatchEmbedding, EMBEDDING_HIDDEN), "PatchEmbedding (hidden)")


AS_CONV_HIDDEN = [
    public.embedding_case("3-channel 12x8 images, patch size 4, D=5", 3, 3, 12, 8, 4, 5, seed=401),
    public.embedding_case("patch size 1, D=7", 2, 2, 3, 5, 1, 7, seed=402),
    public.embedding_case("a single 16x16 patch, D=32", 2, 3, 16, 16, 16, 32, seed=403),
]


def test_patch_embedding_as_conv(patch_embedding_as_conv, PatchEmbedding) -> None:
    require(public.AS_CONV.verdicts((patch_embedding_as_conv, PatchEmbedding), AS_CONV_HIDDEN),
            "patch_embedding_as_conv (hidden)")
