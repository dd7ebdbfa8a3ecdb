"""Figures the notebooks draw from the student's own outputs (matplotlib only)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import torch


def _as_image(tensor: torch.Tensor):
    """(C, H, W) -> something imshow draws: (H, W) for one channel, (H, W, C) for three."""
    tensor = tensor.detach().float().cpu()
    return tensor[0] if tensor.shape[0] == 1 else tensor.permute(1, 2, 0).clamp(0, 1)  # (H, W, C)


def show_patch_grid(image: torch.Tensor, patch_size: int, ax=None, title: str | None = None):
    """An image (C, H, W) with the patch grid drawn over it and each patch numbered row-major."""
    ax = ax or plt.gca()
    _, H, W = image.shape
    ax.imshow(_as_image(image), cmap="gray")
    for y in range(0, H + 1, patch_size):
        ax.axhline(y - 0.5, color="tab:orange", lw=1)
    for x in range(0, W + 1, patch_size):
        ax.axvline(x - 0.5, color="tab:orange", lw=1)
    columns = W // patch_size
    for index in range((H // patch_size) * columns):
        row, col = divmod(index, columns)
        ax.text(col * patch_size + 0.5, row * patch_size + 1.5, str(index), color="yellow", fontsize=7)
    ax.set_title(title or f"{H // patch_size} x {columns} patches of {patch_size} x {patch_size} pixels")
    ax.axis("off")
    return ax


def show_patches(patches: torch.Tensor, patch_size: int, columns: int, title: str | None = None):
    """The rows of one image's patch matrix (N, C*P*P), each drawn as a tile, numbered in order.

    ``columns`` tiles per row: pass the number of patches per image row to see the image rebuilt
    (when the patches are in the right order), or any other number to see them as a strip.
    """
    patches = patches.detach().float().cpu()
    N, K = patches.shape
    C = K // (patch_size * patch_size)
    rows = (N + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.8, rows * 0.8 + 0.4), squeeze=False)
    low, high = patches.min().item(), patches.max().item()
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < N:
            tile = patches[index].reshape(C, patch_size, patch_size)  # each row is one (C, P, P) patch
            ax.imshow(_as_image(tile), cmap="gray", vmin=low, vmax=high)
            ax.set_title(str(index), fontsize=7, pad=1)
    fig.suptitle(title or f"{N} patches, each a vector of {K} values", fontsize=9)
    fig.tight_layout()
    return fig


def show_filters(weight: torch.Tensor, count: int = 8, title: str = "embedding filters"):
    """The first ``count`` output channels of a (D, C, P, P) weight as P x P images (channel 0)."""
    weight = weight.detach().float().cpu()
    count = min(count, weight.shape[0])
    fig, axes = plt.subplots(1, count, figsize=(count * 1.0, 1.4), squeeze=False)
    for d, ax in enumerate(axes.flat):
        ax.imshow(weight[d, 0], cmap="coolwarm")
        ax.set_title(f"d={d}", fontsize=7)
        ax.axis("off")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def course_checkpoint(start: Path | str | None = None) -> Path:
    """Where notebook 6 saves the trained course model: ``checkpoints/course_vit.pt`` in the first folder
    upwards from ``start`` (default: the working directory) that holds ``pyproject.toml``."""
    here = (Path.cwd() if start is None else Path(start)).resolve()
    root = next((folder for folder in (here, *here.parents) if (folder / "pyproject.toml").is_file()), here)
    return root / "checkpoints" / "course_vit.pt"


def trained_patch_kernels(path: Path | str | None = None) -> tuple[torch.Tensor, str] | None:
    """The patch-embedding kernels (D, C, P, P) of notebook 6's saved model and a line saying what they
    are, or None when no model has been saved yet (or the file cannot be read).

    The kernels are found by their shape, not their name: the one 4-D weight whose last two axes are
    the configuration's patch size (torchvision calls it ``conv_proj.weight``)."""
    path = Path(path) if path is not None else course_checkpoint()
    if not path.is_file():
        return None
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        P = saved["config"]["patch_size"]
        kernels = [w for w in saved["state"].values() if w.dim() == 4 and tuple(w.shape[-2:]) == (P, P)]
    except Exception:  # an old or foreign file: draw nothing rather than fail
        return None
    if len(kernels) != 1:
        return None
    accuracy = saved.get("accuracy")
    described = f"notebook 6's model ({path.name}" + (f", test accuracy {accuracy:.3f})" if accuracy else ")")
    return kernels[0].float(), described


def neighbour_correlation(weight: torch.Tensor) -> float:
    """How alike neighbouring weights of the kernels (D, C, P, P) are: the correlation between each weight
    and its right and lower neighbours, over all kernels (about 0 for random kernels, near 1 for smooth
    ones)."""
    w = weight.detach().float().cpu()
    w = w - w.mean(dim=(-2, -1), keepdim=True)  # each kernel's own mean removed
    a = torch.cat([w[..., :, :-1].flatten(), w[..., :-1, :].flatten()])  # a weight
    b = torch.cat([w[..., :, 1:].flatten(), w[..., 1:, :].flatten()])  # its right / lower neighbour
    return float((a * b).sum() / (a.square().sum() * b.square().sum()).sqrt())
