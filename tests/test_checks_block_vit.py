"""Unit tests of the checks of notebooks 4 and 5: the weight maps onto the built-in oracles, both ways,
and the paper's parameter counts. The reference model comes from the solution notebook itself."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from grader import samples as S
from tests.test_catalogue import namespace
from vitlab.checks import block, vit


@pytest.fixture(scope="module")
def reference_vit():
    return namespace("05_vit", S.reference("05_vit"))["VisionTransformer"]


@pytest.fixture(scope="module")
def reference_block():
    return namespace("04_block", S.reference("04_block"))["EncoderBlock"]


def test_block_weights_map_onto_the_builtin_layer(reference_block):
    torch.manual_seed(0)
    mine = reference_block(16, 4, 2.0, 0.0).eval()
    block.randomise(block.block_params(mine), seed=1)
    layer = nn.TransformerEncoderLayer(16, 4, 32, 0.0, activation="gelu", batch_first=True, norm_first=True)
    layer.eval()
    layer.load_state_dict(block.block_params(mine))
    x = torch.randn(3, 5, 16)
    torch.testing.assert_close(mine(x), layer(x), rtol=1e-5, atol=1e-6)


SIZES = {"image_size": 12, "patch_size": 4, "in_channels": 3, "num_classes": 7, "dim": 24, "depth": 2,
         "num_heads": 3, "mlp_ratio": 2.0, "dropout": 0.0, "pool": "cls"}


def test_vit_weights_map_both_ways(reference_vit):
    images = torch.randn(2, 3, 12, 12)
    torch.manual_seed(0)
    tv = vit.torchvision_vit(SIZES)
    block.randomise(dict(tv.named_parameters()), seed=2)
    mine = reference_vit(**SIZES).eval()
    vit.load_torchvision_weights(mine, tv.state_dict())  # torchvision -> yours
    with torch.no_grad():
        torch.testing.assert_close(mine(images), tv(images), rtol=1e-5, atol=1e-5)
    params = {"p:" + k: v.detach() for k, v in vit.vit_params(mine).items()}
    back = vit.torchvision_vit(SIZES, params)  # yours -> torchvision
    with torch.no_grad():
        torch.testing.assert_close(back(images), tv(images), rtol=1e-5, atol=1e-5)
    assert set(vit.name_map(mine)) == set(tv.state_dict()), "the map covers every torchvision tensor"


def test_paper_parameter_counts(reference_vit):
    counts = {name: vit.torchvision_row(builder)[-1] for name, builder in vit.PAPER.items()}
    assert counts == {"ViT-B/16": 86_567_656, "ViT-L/16": 304_326_632, "ViT-H/14": 632_045_800}
    configs = namespace("05_vit", S.reference("05_vit"))["paper_configs"]()
    for name, settings in configs.items():
        assert vit.student_row(reference_vit, settings)[-1] == counts[name]
    # the paper truncates to millions; its 307M for ViT-L is not what its own configuration gives
    assert {name: count // 10**6 for name, count in counts.items()} == {**vit.PAPER_MILLIONS, "ViT-L/16": 304}
