"""The course's trainable ViT (vitlab.models): shapes, pooling, PatchDropout, bad configurations."""
import pytest
import torch

from vitlab.models import ViT, ViTConfig


def tokens_seen(model: ViT, images: torch.Tensor) -> torch.Tensor:
    """The token sequence the encoder blocks receive."""
    seen = {}
    handle = model.blocks.register_forward_hook(lambda module, args, output: seen.update(x=args[0]))
    try:
        model(images)
    finally:
        handle.remove()
    return seen["x"]


@pytest.mark.parametrize("pool, tokens", [("cls", 50), ("mean", 49)])
def test_shapes(pool, tokens):
    model = ViT(ViTConfig(dim=16, depth=1, heads=2, pool=pool))
    images = torch.randn(3, 1, 28, 28)
    assert model(images).shape == (3, 10)
    assert model.features(images).shape == (3, 16)
    assert tokens_seen(model, images).shape == (3, tokens, 16)


@pytest.mark.parametrize("pool", ["cls", "mean"])
def test_patch_dropout_keeps_a_random_subset_in_training_only(pool):
    torch.manual_seed(0)
    model = ViT(ViTConfig(dim=16, depth=1, heads=2, pool=pool, token_keep=0.5))
    images = torch.randn(4, 1, 28, 28)
    first = int(pool == "cls")
    full = model.tokens(images)  # (B, T, D)
    model.train()
    kept = tokens_seen(model, images)
    assert kept.shape == (4, first + 24, 16)  # round(0.5 * 49) patches per image
    if first:
        assert torch.equal(kept[:, 0], full[:, 0]), "the class token must always be kept"
    # every kept token is one of the image's own patches, none twice, and images differ in what they keep
    patches = full[:, first:]
    match = (kept[:, first:, None, :] == patches[:, None, :, :]).all(-1)  # (B, keep, N)
    assert (match.sum(-1) == 1).all()
    chosen = match.float().argmax(-1)  # (B, keep)
    assert all(len(set(row.tolist())) == 24 for row in chosen)
    assert len({tuple(sorted(row.tolist())) for row in chosen}) > 1
    model.eval()
    assert tokens_seen(model, images).shape == full.shape, "evaluation must see every patch"


def test_patch_dropout_off_by_default_changes_nothing():
    torch.manual_seed(0)
    model = ViT(ViTConfig(dim=16, depth=1, heads=2, pool="mean")).train()
    images = torch.randn(2, 1, 28, 28)
    assert torch.equal(tokens_seen(model, images), model.tokens(images))


@pytest.mark.parametrize("changes, message", [
    ({"patch_size": 5}, "not a multiple"),
    ({"pool": "max"}, "pool must be"),
    ({"token_keep": 0.0}, "token_keep"),
    ({"token_keep": 1.5}, "token_keep"),
])
def test_bad_configurations_are_named(changes, message):
    with pytest.raises(ValueError, match=message):
        ViT(ViTConfig(dim=16, depth=1, heads=2, **changes))
