"""Fashion-MNIST, real and offline-first, through ``torchvision.datasets.FashionMNIST``.

Where the original four IDX ``.gz`` files are looked for, in order:
1. ``$VITLAB_DATA`` (a folder holding the four files, or a torchvision root with ``FashionMNIST/raw``);
2. Debian's ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``);
3. torchvision's own download (needs the internet).
Files found in 1 or 2 are unpacked into the cache (``$VITLAB_CACHE``, default ``~/.cache/vitlab``)
with torchvision's own ``extract_archive``; torchvision does all the parsing (and checks the IDX
magic numbers). Debian recompresses the files, so the ``.gz`` MD5 sums differ from torchvision's.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset, Subset
from torchvision import datasets
from torchvision.datasets.utils import extract_archive
from torchvision.transforms import v2

from vitlab import config

CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
#: Mean and standard deviation of the training pixels (scaled to [0, 1]).
MEAN, STD = 0.2860, 0.3530

HOW_TO_GET_DATA = """Fashion-MNIST was not found. Get it in one of three ways:
  1. Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist (to /usr/share/datasets/fashion-mnist)
  2. Any machine:     put the four original files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
                      t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in a folder and
                      export VITLAB_DATA=/path/to/that/folder
  3. Online:          run once with internet access; torchvision downloads it into {cache}"""


class DataNotFoundError(RuntimeError):
    """Raised when Fashion-MNIST is in none of the three places; the message says how to get it."""


def _gz_files() -> list[tuple[str, str]]:
    """(file name, md5) of the four original .gz files, as torchvision knows them."""
    return [(url.rsplit("/", 1)[-1], md5) for url, md5 in datasets.FashionMNIST.resources]


def _candidate_sources() -> list[Path]:
    found = [config.data_dir(), config.DEBIAN_FASHION_MNIST]
    return [p for p in found if p is not None]


def _prepared_root(root: Path) -> bool:
    """True when ``root`` is a torchvision root that already holds the unpacked files."""
    raw = root / "FashionMNIST" / "raw"
    return all((raw / name.removesuffix(".gz")).is_file() for name, _ in _gz_files())


def _unpack_into_cache(source: Path) -> Path | None:
    """Check the four .gz files in ``source`` and unpack them under the cache; None if absent."""
    files = [source / name for name, _ in _gz_files()]
    if not all(path.is_file() for path in files):
        return None
    root = config.cache_dir()
    raw = root / "FashionMNIST" / "raw"
    if not _prepared_root(root):
        try:
            raw.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DataNotFoundError(
                f"cannot unpack Fashion-MNIST into {raw} ({error.strerror}): set VITLAB_CACHE "
                "to a writable folder"
            ) from None
        for path in files:
            try:
                extract_archive(str(path), str(raw), remove_finished=False)
            except PermissionError as error:
                raise DataNotFoundError(
                    f"cannot write {error.filename}: set VITLAB_CACHE to a writable folder"
                ) from None
            except (OSError, EOFError) as error:
                raise DataNotFoundError(
                    f"{path} could not be unpacked ({error}): the file is damaged. "
                    "Delete it and get the data "
                    "again.\n" + HOW_TO_GET_DATA.format(cache=root)
                ) from None
    return root


def find_root() -> Path:
    """The torchvision root to read Fashion-MNIST from, downloading only as the last resort."""
    for source in _candidate_sources():
        if _prepared_root(source):
            return source
        root = _unpack_into_cache(source)
        if root is not None:
            return root
    root = config.cache_dir()
    if _prepared_root(root):
        return root
    try:
        datasets.FashionMNIST(str(root), train=False, download=True)
    except Exception as error:  # no network, blocked mirror, read-only disk...
        raise DataNotFoundError(
            HOW_TO_GET_DATA.format(cache=root) + f"\n(download failed: {error})"
        ) from None
    return root


def fashion_mnist(train: bool = True, transform=None) -> Dataset:
    """The Fashion-MNIST train or test split; images become float tensors in [0, 1] by default."""
    if transform is None:
        transform = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
    return datasets.FashionMNIST(str(find_root()), train=train, transform=transform, download=False)


def as_tensors(train: bool = False, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """A whole split (or its first ``limit`` images) as ``(images (B, 1, 28, 28) in [0, 1], labels (B,))``."""
    dataset = datasets.FashionMNIST(str(find_root()), train=train, download=False)
    images, labels = dataset.data, dataset.targets
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return images.unsqueeze(1).float().div_(255), labels.clone()


def subset(dataset: Dataset, size: int, seed: int = 0) -> Dataset:
    """A fixed random subset of ``size`` items (the whole set when it is smaller)."""
    if size >= len(dataset):
        return dataset
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed))
    return Subset(dataset, order[:size].tolist())


def loaders(
    batch_size: int = 128,
    train_size: int | None = None,
    test_size: int | None = None,
    train_transform=None,
    test_transform=None,
    num_workers: int = 0,
) -> tuple[DataLoader, DataLoader]:
    """Train and test loaders; quick mode (``VITLAB_FAST=1``) keeps 2,048 / 512 images."""
    train_set = fashion_mnist(True, train_transform)
    test_set = fashion_mnist(False, test_transform)
    train_size = train_size or config.quick(len(train_set), 2048)
    test_size = test_size or config.quick(len(test_set), 512)
    train_set, test_set = subset(train_set, train_size), subset(test_set, test_size)
    return (
        DataLoader(train_set, batch_size=batch_size, shuffle=True, num_workers=num_workers, drop_last=True),
        DataLoader(test_set, batch_size=batch_size, shuffle=False, num_workers=num_workers),
    )


class TensorLoader:
    """Batches of a split held in memory: shuffled every epoch, transformed a whole batch at a time.

    Fashion-MNIST fits in memory (47 MB as bytes), and a per-image ``DataLoader`` pipeline costs about
    a fifth of a small ViT's training time on a 2-core CPU; here each batch is one indexing operation
    and one call of ``transform`` on a (B, 1, 28, 28) tensor in [0, 1]. Transforms must therefore
    work on batches: ``v2.Normalize`` and ``v2.Resize`` do; random ones draw one choice per call
    (see :class:`RandomFlips` for one coin per image). ``dataset[i]`` gives one transformed image.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        shuffle: bool = False,
        drop_last: bool = False,
        transform=None,
        seed: int = 0,
    ):
        self.images, self.labels = images, labels  # (N, 1, 28, 28) float in [0, 1], (N,)
        self.batch_size, self.shuffle, self.drop_last, self.transform = (
            batch_size,
            shuffle,
            drop_last,
            transform,
        )
        self.generator = torch.Generator().manual_seed(seed)
        self.dataset = _TransformedItems(self)

    def __len__(self) -> int:
        full, rest = divmod(len(self.labels), self.batch_size)
        return full + (rest > 0 and not self.drop_last)

    def head(self, count: int | None = None, batch_size: int | None = None) -> TensorLoader:
        """A loader over the first ``count`` items (all: None), in order, with the same transform, in
        batches of ``batch_size`` (default: this loader's): a fixed subset to evaluate on often."""
        count = len(self.labels) if count is None else min(count, len(self.labels))
        return TensorLoader(
            self.images[:count], self.labels[:count], batch_size or self.batch_size, transform=self.transform
        )

    def __iter__(self):
        order = torch.randperm(len(self.labels), generator=self.generator) if self.shuffle else None
        for b in range(len(self)):
            index = slice(b * self.batch_size, (b + 1) * self.batch_size)
            chosen = order[index] if order is not None else index
            images = self.images[chosen]  # (B, 1, 28, 28): a copy when shuffled
            if order is None:
                images = images.clone()
            yield (self.transform(images) if self.transform else images), self.labels[chosen]


class _TransformedItems:
    """``loader.dataset``: one image at a time, through the loader's transform."""

    def __init__(self, loader: TensorLoader):
        self.loader = loader

    def __len__(self) -> int:
        return len(self.loader.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        image = self.loader.images[i : i + 1].clone()  # (1, 1, 28, 28)
        image = self.loader.transform(image) if self.loader.transform else image
        return image[0], int(self.loader.labels[i])


class RandomFlips:
    """Flip each image of a batch left-right with probability ``p``, one coin per image.

    ``v2.RandomHorizontalFlip`` draws one coin per call, so on a batch it flips all images or none;
    this draws a coin per image and flips the chosen ones with ``v2.functional.horizontal_flip``.
    """

    def __init__(self, p: float = 0.5, seed: int = 0):
        self.p, self.generator = p, torch.Generator().manual_seed(seed)

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        flip = torch.rand(len(images), generator=self.generator) < self.p  # (B,)
        images[flip] = v2.functional.horizontal_flip(images[flip])
        return images


def memory_loaders(
    batch_size: int = 128,
    train_size: int | None = None,
    test_size: int | None = None,
    train_transform=None,
    test_transform=None,
    seed: int = 0,
) -> tuple[TensorLoader, TensorLoader]:
    """Like :func:`loaders` (same subsets in quick mode), both splits in memory (:class:`TensorLoader`)."""
    loaders_ = []
    for train, size, full, fast, transform in (
        (True, train_size, 60_000, 2048, train_transform),
        (False, test_size, 10_000, 512, test_transform),
    ):
        images, labels = as_tensors(train)
        size = size or config.quick(full, fast)
        if size < len(labels):
            keep = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))[:size]
            images, labels = images[keep], labels[keep]
        loaders_.append(
            TensorLoader(
                images, labels, batch_size, shuffle=train, drop_last=train, transform=transform, seed=seed
            )
        )
    return loaders_[0], loaders_[1]
