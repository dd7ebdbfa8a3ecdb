"""The offline ViT-B/16 loader of notebook 7, part 2, exercised with random weights (no network)."""

from __future__ import annotations

import pytest
import torch
from torchvision.models import vit_b_16

from vitlab import data, pretrained


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("weights") / pretrained.file_name()
    torch.save(vit_b_16(weights=None).state_dict(), path)
    return path


def test_weights_found_through_the_environment_variable(random_weights, monkeypatch):
    monkeypatch.setenv(pretrained.ENV, str(random_weights))
    assert pretrained.weights_path() == random_weights
    model, transforms = pretrained.load_vit_b_16()
    reference = torch.load(random_weights, weights_only=True)
    assert torch.equal(model.state_dict()["heads.head.weight"], reference["heads.head.weight"])
    images, _ = data.as_tensors(train=False, limit=3)  # (3, 1, 28, 28) in [0, 1]
    batch = pretrained.as_rgb_batch(images, transforms)
    assert batch.shape == (3, 3, 224, 224)
    features = pretrained.head_inputs(model, "heads.head", images, transforms, batch_size=2)
    assert features.shape == (3, 768)
    model.eval()
    with torch.no_grad():  # the features are what the head reads: the head applied to them gives the logits
        assert torch.allclose(model.heads.head(features), model(batch), atol=1e-4)


def test_weights_found_in_the_torch_hub_cache(random_weights, tmp_path, monkeypatch):
    monkeypatch.delenv(pretrained.ENV, raising=False)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    assert pretrained.weights_path() is None
    assert pretrained.load_vit_b_16() is None
    assert "VITLAB_VIT_B_16" in pretrained.how_to_get()
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / pretrained.file_name()).symlink_to(random_weights)
    assert pretrained.weights_path() == tmp_path / "checkpoints" / pretrained.file_name()


def test_a_wrong_path_or_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(pretrained.ENV, str(tmp_path / "missing.pth"))
    with pytest.raises(FileNotFoundError, match="no file there"):
        pretrained.weights_path()
    wrong = tmp_path / "wrong.pth"
    torch.save({"not": torch.zeros(1)}, wrong)
    monkeypatch.setenv(pretrained.ENV, str(wrong))
    with pytest.raises(RuntimeError, match="does not hold ViT-B/16 weights"):
        pretrained.load_vit_b_16()
    garbage = tmp_path / "garbage.pth"
    garbage.write_text("not a checkpoint")
    with pytest.raises(RuntimeError, match="could not read"):
        pretrained.load_vit_b_16(garbage)
