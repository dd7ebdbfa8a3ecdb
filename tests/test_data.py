"""The data loader: offline Fashion-MNIST through torchvision, one clear message when missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from torchvision import datasets

from vitlab import config, data, device


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No Debian package, no $VITLAB_DATA, an empty cache, and no network."""
    monkeypatch.setattr(config, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian")
    monkeypatch.delenv("VITLAB_DATA", raising=False)
    monkeypatch.setenv("VITLAB_CACHE", str(tmp_path / "cache"))

    def offline(self, *args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(datasets.FashionMNIST, "download", offline)
    return tmp_path


def test_missing_data_names_the_three_ways(isolated):
    with pytest.raises(data.DataNotFoundError) as error:
        data.fashion_mnist(train=False)
    message = str(error.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert "VITLAB_DATA" in message
    assert "download" in message and "internet" in message


def test_vitlab_data_folder_is_used_first(isolated, monkeypatch):
    debian = Path("/usr/share/datasets/fashion-mnist")
    if not debian.is_dir():
        pytest.skip("dataset-fashion-mnist is not installed (the test copies its files)")
    folder = isolated / "mine"
    folder.mkdir()
    for name, _ in data._gz_files():
        shutil.copy(debian / name, folder / name)
    monkeypatch.setenv("VITLAB_DATA", str(folder))
    assert data.find_root() == isolated / "cache"  # unpacked from $VITLAB_DATA (Debian is hidden)
    test_set = data.fashion_mnist(train=False)
    image, label = test_set[0]
    assert len(test_set) == 10_000 and label == 9
    assert (
        image.shape == (1, 28, 28) and image.dtype == torch.float32 and 0 <= image.min() <= image.max() <= 1
    )


def test_a_damaged_file_gets_a_clear_message(isolated, monkeypatch):
    folder = isolated / "broken"
    folder.mkdir()
    for name, _ in data._gz_files():
        (folder / name).write_bytes(b"not a gzip file")
    monkeypatch.setenv("VITLAB_DATA", str(folder))
    with pytest.raises(data.DataNotFoundError, match="damaged"):
        data.fashion_mnist(train=False)


def test_debian_package_gives_the_real_data():
    if not config.DEBIAN_FASHION_MNIST.is_dir():
        pytest.skip("dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)")
    images, labels = data.as_tensors(train=False, limit=5)
    assert images.shape == (5, 1, 28, 28)
    # the first five test labels of Fashion-MNIST: ankle boot, pullover, trouser, trouser, shirt
    assert labels.tolist() == [9, 2, 1, 1, 6]
    train = data.fashion_mnist(train=True)
    assert len(train) == 60_000


def test_quick_mode_loaders_are_small():
    if not config.DEBIAN_FASHION_MNIST.is_dir():
        pytest.skip("dataset-fashion-mnist is not installed")
    train, test = data.loaders(batch_size=64)
    assert config.FAST  # conftest sets VITLAB_FAST=1
    assert len(train.dataset) == 2048 and len(test.dataset) == 512
    images, labels = next(iter(train))
    assert images.shape == (64, 1, 28, 28) and labels.shape == (64,)


def test_device_is_a_real_device():
    picked = device.pick_device()
    assert picked.type in ("cuda", "mps", "cpu")
    if not torch.cuda.is_available():
        assert picked.type in ("mps", "cpu")


def test_gz_names_match_torchvision():
    names = [name for name, _ in data._gz_files()]
    assert names == [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]


def test_a_read_only_cache_says_which_variable_to_set(isolated, monkeypatch):
    debian = Path("/usr/share/datasets/fashion-mnist")
    if not debian.is_dir():
        pytest.skip("dataset-fashion-mnist is not installed")
    monkeypatch.setattr(config, "DEBIAN_FASHION_MNIST", debian)
    blocked = isolated / "blocked"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("VITLAB_CACHE", str(blocked))
    with pytest.raises(data.DataNotFoundError, match="VITLAB_CACHE"):
        data.fashion_mnist(train=False)
