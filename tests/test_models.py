"""The course's trainable ViT (vitlab.models: torchvision's VisionTransformer with PatchDropout and
mean pooling added by hooks): shapes, pooling, PatchDropout, bad configurations, the checkpoint path."""

import pytest
import torch
from torchvision.models.vision_transformer import VisionTransformer

from vitlab.models import ViT, ViTConfig, checkpoint_path, inputs_of


def tokens_seen(model: ViT, images: torch.Tensor) -> torch.Tensor:
    """The token sequence the encoder blocks receive (after PatchDropout, if any)."""
    with inputs_of(model.encoder.layers) as seen:
        model(images)
    return seen[0]


def all_tokens(model: ViT, images: torch.Tensor) -> torch.Tensor:
    """The class token and every patch token, positions added: (B, 1 + N, D)."""
    was_training = model.training
    model.eval()
    try:
        return tokens_seen(model, images)
    finally:
        model.train(was_training)


@pytest.mark.parametrize("pool", ["cls", "mean"])
def test_shapes(pool):
    model = ViT(ViTConfig(dim=16, depth=1, heads=2, pool=pool)).eval()
    images = torch.randn(3, 1, 28, 28)
    assert isinstance(model, VisionTransformer)
    assert model(images).shape == (3, 10)
    assert model.features(images).shape == (3, 16)
    assert tokens_seen(model, images).shape == (3, 50, 16)  # torchvision always carries the class token
    assert model.conv_proj.in_channels == 1 and model.heads.head.out_features == 10


def test_other_sizes_and_channels():
    config = ViTConfig(image_size=32, patch_size=8, channels=3, dim=24, depth=2, heads=3, classes=5)
    model = ViT(config).eval()
    images = torch.randn(2, 3, 32, 32)
    assert model(images).shape == (2, 5)
    assert tokens_seen(model, images).shape == (2, 17, 24)
    assert model.encoder.pos_embedding.shape == (1, 17, 24)


def test_pooling_reads_the_class_token_or_the_mean_of_the_patches():
    torch.manual_seed(0)
    images = torch.randn(4, 1, 28, 28)
    for pool in ("cls", "mean"):
        model = ViT(ViTConfig(dim=16, depth=1, heads=2, pool=pool)).eval()
        with inputs_of(model.encoder.ln) as normed:
            features = model.features(images)  # (B, D)
        encoded = model.encoder.ln(normed[0])  # (B, 1 + N, D): the encoder's output before pooling
        expected = encoded[:, 0] if pool == "cls" else encoded[:, 1:].mean(dim=1)
        assert torch.allclose(features, expected, atol=1e-6), pool
        if pool == "mean":
            assert not torch.allclose(features, encoded[:, 0], atol=1e-3)
        assert torch.allclose(model(images), model.heads(features), atol=1e-6)


@pytest.mark.parametrize("pool", ["cls", "mean"])
def test_patch_dropout_keeps_a_random_subset_in_training_only(pool):
    torch.manual_seed(0)
    model = ViT(ViTConfig(dim=16, depth=1, heads=2, pool=pool, token_keep=0.5))
    images = torch.randn(4, 1, 28, 28)
    full = all_tokens(model, images)  # (B, 1 + N, D)
    model.train()
    kept = tokens_seen(model, images)
    assert kept.shape == (4, 1 + 24, 16)  # the class token and round(0.5 * 49) patches per image
    assert torch.equal(kept[:, 0], full[:, 0]), "the class token must always be kept"
    # every kept token is one of the image's own patches, none twice, and images differ in what they keep
    match = (kept[:, 1:, None, :] == full[:, None, 1:, :]).all(-1)  # (B, keep, N)
    assert (match.sum(-1) == 1).all()
    chosen = match.float().argmax(-1)  # (B, keep)
    assert all(len(set(row.tolist())) == 24 for row in chosen)
    assert len({tuple(sorted(row.tolist())) for row in chosen}) > 1
    assert model(images).shape == (4, 10)
    model.eval()
    assert tokens_seen(model, images).shape == full.shape, "evaluation must see every patch"


def test_patch_dropout_off_by_default_changes_nothing():
    torch.manual_seed(0)
    model = ViT(ViTConfig(dim=16, depth=1, heads=2, pool="mean")).train()
    images = torch.randn(2, 1, 28, 28)
    assert torch.equal(tokens_seen(model, images), all_tokens(model, images))


def test_torchvision_names_the_course_uses():
    names = dict(ViT(ViTConfig(dim=16, depth=2, heads=2)).named_parameters())
    for name in (
        "class_token",
        "encoder.pos_embedding",
        "conv_proj.weight",
        "heads.head.weight",
        "encoder.layers.encoder_layer_1.self_attention.in_proj_weight",
        "encoder.ln.weight",
    ):
        assert name in names, name
    assert names["class_token"].shape == (1, 1, 16) and names["encoder.pos_embedding"].shape == (1, 50, 16)


def test_state_dict_round_trip():
    torch.manual_seed(0)
    config = ViTConfig(dim=16, depth=1, heads=2, pool="mean", token_keep=0.3)
    model = ViT(config).eval()
    again = ViT(ViTConfig(**config.__dict__)).eval()
    again.load_state_dict(model.state_dict())
    images = torch.randn(2, 1, 28, 28)
    assert torch.equal(model(images), again(images))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"patch_size": 5}, "not a multiple"),
        ({"pool": "max"}, "pool must be"),
        ({"token_keep": 0.0}, "token_keep"),
        ({"token_keep": 1.5}, "token_keep"),
    ],
)
def test_bad_configurations_are_named(changes, message):
    with pytest.raises(ValueError, match=message):
        ViT(ViTConfig(dim=16, depth=1, heads=2, **changes))


def test_checkpoint_path_is_at_the_course_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    notebook_folder = tmp_path / "notebooks" / "06_training"
    notebook_folder.mkdir(parents=True)
    assert checkpoint_path(notebook_folder) == tmp_path.resolve() / "checkpoints" / "course_vit.pt"
    assert checkpoint_path(tmp_path) == tmp_path.resolve() / "checkpoints" / "course_vit.pt"
