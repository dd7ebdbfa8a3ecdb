"""Hidden cases for notebook 5: three channels, a single patch, a batch of one, deeper and wider models,
torchvision's weights copied into the student's model (the reverse map), dropout random in train mode
and off in eval mode, the train-mode and initial-value checks at other sizes (and with mean pooling),
more invalid arguments, and the parameter count at other configurations (ViT-L/16 at 384 px,
ViT-H/14, a single block and patch, a fractional MLP ratio, more heads)."""

from __future__ import annotations

import torch

from vitlab.checks import vit as public
from vitlab.checks.core import FLOAT32, Case, Inputs, Outcome, Verdict, differences
from vitlab.harness.calls import vit as calls

# --------------------------------------------------------------------------------------------------
# torchvision's weights in the student's model


def _reference_weights(inputs: Inputs) -> dict[str, torch.Tensor]:
    """A torchvision ViT at the case's sizes with seeded, perturbed weights: its state dict."""
    model = public.torchvision_vit(inputs)
    calls.randomise(dict(model.named_parameters()), inputs["seed"])
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _judge_reverse(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if "returned" in outcome.tensors:
        return public._tuple_verdict(check, inputs, outcome)
    public.needs(outcome, "logits")
    model = public.torchvision_vit(inputs, {"p:" + k: v for k, v in inputs["weights"].items()})
    expected = public.run_torchvision(inputs, model, inputs["pool"])
    problems = differences(
        expected, {"logits": outcome.tensors["logits"]}, public.VIT_TOL, axes={"logits": public.LOGIT_AXES}
    )
    if problems:
        return Verdict(
            False,
            check,
            "with torchvision's weights copied into your model (patch_embed, cls_token, "
            "pos_embed, blocks, norm, head), your logits differ from torchvision's:\n" + "\n".join(problems),
        )
    return Verdict(True, check)


def reverse_case(name: str, **sizes) -> Case:
    make = public.vit_inputs(**sizes)

    def inputs() -> Inputs:
        values = make()
        return {**values, "weights": _reference_weights(values)}

    return Case(
        f"torchvision's weights copied into your model: {name}",
        inputs,
        call=calls.torchvision_weights,
        judge=_judge_reverse,
    )


# --------------------------------------------------------------------------------------------------
# Dropout


def _judge_dropout(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    public.needs(outcome, "train0", "train1", "eval0", "eval1")
    got = outcome.tensors
    if differences({"eval": got["eval0"]}, {"eval": got["eval1"]}, FLOAT32):
        return public._named(
            check, public.DROPOUT_IN_EVAL, public.DROPOUT_FIX, "two calls in eval mode gave different logits"
        )
    if got["train0"].shape == got["train1"].shape and torch.equal(got["train0"], got["train1"]):
        return Verdict(
            False,
            check,
            "with dropout=0.5, two calls in train mode give the same logits: pass dropout to "
            "the blocks (make_block(dim, num_heads, mlp_ratio, dropout)) and apply "
            "self.dropout after adding the positions.",
        )
    return Verdict(True, check)


def dropout_case(**sizes) -> Case:
    return Case(
        f"dropout 0.5: random in train mode, deterministic in eval mode (pool={sizes.get('pool', 'cls')!r})",
        public.vit_inputs(dropout=0.5, seed=106, **sizes),
        call=calls.dropout_modes,
        judge=_judge_dropout,
    )


# --------------------------------------------------------------------------------------------------
# vit_parameter_count at other configurations: every argument moves the count, except num_heads

COUNT_HIDDEN = [
    public.count_case(
        "ViT-L/16 at 384 px (577 positions)",
        image_size=384,
        patch_size=16,
        in_channels=3,
        num_classes=1000,
        dim=1024,
        depth=24,
        num_heads=16,
        mlp_ratio=4.0,
    ),
    public.count_case(
        "ViT-H/14 at 224 px, 21843 classes",
        image_size=224,
        patch_size=14,
        in_channels=3,
        num_classes=21843,
        dim=1280,
        depth=32,
        num_heads=16,
        mlp_ratio=4.0,
    ),
    public.count_case(
        "one block, one patch, one head",
        image_size=6,
        patch_size=6,
        in_channels=2,
        num_classes=3,
        dim=8,
        depth=1,
        num_heads=1,
        mlp_ratio=1.0,
    ),
    public.count_case(
        "MLP ratio 2.5, 3 channels, 7x7 patches",
        image_size=35,
        patch_size=7,
        in_channels=3,
        num_classes=7,
        dim=20,
        depth=3,
        num_heads=5,
        mlp_ratio=2.5,
    ),
    public.count_case("the small ViT with 16 heads instead of 4 (the count does not change)", num_heads=16),
]

HIDDEN = {
    "test_vit": [
        public.vit_case(
            "3-channel 12x12 images, 4x4 patches, D=24, 3 heads, 7 classes",
            B=2,
            image_size=12,
            in_channels=3,
            num_classes=7,
            dim=24,
            num_heads=3,
            seed=101,
        ),
        public.vit_case(
            "a single patch per image, batch of one",
            B=1,
            image_size=6,
            patch_size=6,
            dim=8,
            num_heads=1,
            depth=1,
            seed=102,
        ),
        public.vit_case(
            "16 patches of 2x2, 4 blocks, MLP ratio 4",
            B=5,
            image_size=8,
            patch_size=2,
            dim=16,
            num_heads=4,
            depth=4,
            mlp_ratio=4.0,
            seed=103,
        ),
        public.structure_case(
            image_size=12, patch_size=3, in_channels=3, dim=24, num_heads=3, depth=3, num_classes=7
        ),
        reverse_case("3 channels, 12x12", B=2, image_size=12, in_channels=3, dim=24, num_heads=3, seed=107),
        dropout_case(),
        public.seeded_train_case(B=3, image_size=12, in_channels=3, dim=24, num_heads=3, seed=112),
        public.init_case(image_size=28, patch_size=7, dim=48, seed=113),
        public.invalid_case("image size 12 is not a multiple of patch size 5", image_size=12, patch_size=5),
        public.invalid_case("pool='avg' is not an option", pool="avg"),
    ],
    "test_vit_mean": [
        public.vit_case(
            "pool='mean', 3-channel 12x12 images, 3x3 patches",
            B=2,
            image_size=12,
            patch_size=3,
            in_channels=3,
            dim=12,
            num_heads=2,
            pool="mean",
            seed=104,
        ),
        public.vit_case(
            "pool='mean', a single patch",
            B=2,
            image_size=4,
            patch_size=4,
            dim=8,
            num_heads=2,
            pool="mean",
            seed=105,
        ),
        public.vit_case(
            "pool='mean', batch of one",
            B=1,
            image_size=8,
            patch_size=2,
            dim=8,
            num_heads=2,
            pool="mean",
            seed=111,
        ),
        reverse_case("pool='mean'", pool="mean", seed=108),
        dropout_case(pool="mean"),
        public.seeded_train_case(pool="mean"),
    ],
    "test_parameter_count": COUNT_HIDDEN,
}
