"""Hidden cases for notebook 7: other widths, layouts (a head inside a module, a Sequential's last
layer), dtypes and devices, the tiny ViT (dropout in its blocks, a class token and positions of the
model itself, named cls_token and pos_embed), torchvision's tiny ViT (class_token,
encoder.pos_embedding, heads.head: the course model's names), a partly frozen backbone, equal
learning rates and no weight decay."""

from __future__ import annotations

import torch

from vitlab.checks import transfer as public
from vitlab.checks.transfer import model_spec

F64 = torch.float64

HIDDEN = {
    "test_replace_head": [
        public.replace_case(
            "a head inside a module (name='head.fc'), 40 wide, float64, 5 classes -> 2",
            model_spec(dim=40, classes=5, layout="drop_head", dtype=F64, seed=11),
            2,
        ),
        public.replace_case(
            "the last layer of a Sequential (name='classifier.1'), 8 classes -> 11",
            model_spec(dim=8, classes=8, layout="classifier", seed=12),
            11,
        ),
        public.replace_case(
            "the tiny ViT, 5 classes -> 9", model_spec(kind="vit", dim=16, classes=5, seed=13), 9
        ),
        public.replace_case(
            "as many new classes as old ones (5 -> 5)", model_spec(dim=12, classes=5, seed=14), 5
        ),
        public.replace_case(
            "a model whose backbone is frozen (the new head still trains)",
            model_spec(dim=20, classes=3, seed=15, frozen="backbone"),
            4,
        ),
        public.replace_case(
            "torchvision's ViT (head at 'heads.head'), 5 classes -> 10",
            model_spec(kind="torchvision", dim=16, classes=5, layout="heads.head", seed=17),
            10,
        ),
        public.meta_case(
            "torchvision's layout on the meta device",
            model_spec(dim=24, classes=5, layout="heads.head", seed=16),
            6,
        ),
    ],
    "test_freeze_backbone": [
        public.freeze_case(
            "torchvision's layout (the head at 'heads.head'), float64",
            model_spec(dim=8, classes=3, layout="heads.head", dtype=F64, seed=21),
        ),
        public.freeze_case(
            "a head that is a Sequential(Dropout, Linear)",
            model_spec(dim=12, classes=6, layout="classifier", seed=22),
        ),
        public.freeze_case(
            "the tiny ViT: dropout in the blocks, a class token and positions",
            model_spec(kind="vit", dim=16, classes=5, seed=23),
        ),
        public.freeze_case(
            "the tiny ViT, arriving in eval mode with only its blocks frozen",
            model_spec(kind="vit", dim=16, classes=5, seed=24, mode="eval", frozen="prefix:blocks."),
        ),
        public.freeze_case("a wider model", model_spec(dim=32, classes=6, seed=25)),
        public.freeze_case(
            "torchvision's ViT: dropout in its encoder, the class token of the model itself",
            model_spec(kind="torchvision", dim=8, classes=4, layout="heads.head", seed=27),
        ),
        public.freeze_case(
            "a head from another tiny ViT (ValueError)",
            model_spec(kind="vit", dim=16, classes=5, seed=26),
            foreign=True,
        ),
    ],
    "test_transfer_optimizer": [
        public.optimizer_case(
            "the tiny ViT with only its blocks frozen: head lr 0.05, backbone lr 0.005, weight decay 0.1",
            model_spec(kind="vit", dim=16, classes=5, seed=31, frozen="prefix:blocks."),
            0.05,
            0.005,
            0.1,
            seed=32,
        ),
        public.optimizer_case(
            "torchvision's ViT with its blocks frozen: head lr 0.03, backbone lr 0.003, weight decay 0.2",
            model_spec(
                kind="torchvision",
                dim=8,
                classes=4,
                layout="heads.head",
                seed=43,
                frozen="prefix:encoder.layers.",
            ),
            0.03,
            0.003,
            0.2,
            seed=44,
        ),
        public.optimizer_case(
            "torchvision's ViT, a linear probe (two groups: the head's weight and its bias), float64",
            model_spec(
                kind="torchvision",
                dim=8,
                classes=3,
                layout="heads.head",
                seed=45,
                dtype=F64,
                frozen="backbone",
            ),
            0.02,
            0.002,
            0.05,
            seed=46,
        ),
        public.optimizer_case(
            "torchvision's layout, frozen backbone, no weight decay",
            model_spec(dim=8, classes=4, layout="heads.head", seed=33, frozen="backbone"),
            0.01,
            0.001,
            0.0,
            seed=34,
        ),
        public.optimizer_case(
            "a Sequential head, float64, full fine-tuning, weight decay 0.3",
            model_spec(dim=12, classes=4, layout="classifier", dtype=F64, seed=35),
            0.03,
            0.003,
            0.3,
            seed=36,
        ),
        public.optimizer_case(
            "the same learning rate for head and backbone (training from scratch)",
            model_spec(kind="vit", dim=8, classes=3, seed=37),
            0.02,
            0.02,
            0.02,
            seed=38,
        ),
        public.optimizer_case(
            "a fresh model with a frozen backbone (no gradients yet), weight decay 0.05",
            model_spec(dim=12, classes=3, seed=41, frozen="backbone"),
            0.01,
            0.001,
            0.05,
            seed=42,
            stale_grads=False,
        ),
        public.optimizer_case(
            "a head with its own dropout, only the embedding frozen",
            model_spec(dim=10, classes=3, layout="drop_head", seed=39, frozen="prefix:backbone.embed."),
            0.04,
            0.001,
            0.05,
            seed=40,
        ),
    ],
}
