"""Figures for notebooks 4 and 5 (encoder block and full ViT), drawn from the student's own outputs."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch


def show_gradient_norms(curves: Mapping[str, Sequence[float]], ax=None, title: str | None = None):
    """Gradient norm of each block's parameters, block 1 (input side) to block L (output side)."""
    ax = ax or plt.gca()
    for (label, values), marker in zip(curves.items(), "os^v", strict=False):
        ax.plot(range(1, len(values) + 1), list(values), marker=marker, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("block (1 = next to the input)")
    ax.set_ylabel("gradient norm of the block's parameters")
    ax.set_title(title or "gradient norms at initialisation")
    ax.legend()
    return ax


def show_token_flow(
    stages: Sequence[tuple[str, tuple[int, ...]]], title: str = "token shapes through the model"
):
    """Each stage as a box whose height grows (log scale) with its number of tokens (pixels for the
    4-D stages), labelled with its shape.

    ``stages``: (name, shape) pairs in order, e.g. ("patch_embed", (8, 64, 4, 4)).
    """
    fig, ax = plt.subplots(figsize=(1.55 * len(stages), 3.0))
    tokens = [
        shape[1] if len(shape) == 3 else (shape[2] * shape[3] if len(shape) == 4 else 1)
        for _, shape in stages
    ]
    tallest = math.log(max(tokens) + 1)
    for i, ((name, shape), n) in enumerate(zip(stages, tokens, strict=True)):
        height = 0.3 + 2.2 * math.log(n + 1) / tallest  # log scale: 784 pixels ... 1 pooled vector
        color = "tab:blue" if len(shape) == 3 else ("tab:gray" if len(shape) == 4 else "tab:orange")
        ax.add_patch(plt.Rectangle((i * 1.5, -height / 2), 1.0, height, color=color, alpha=0.35))
        ax.text(i * 1.5 + 0.5, height / 2 + 0.12, name, ha="center", va="bottom", fontsize=8)
        ax.text(
            i * 1.5 + 0.5,
            0,
            "\n".join(["(" + ", ".join(map(str, shape)) + ")"]),
            ha="center",
            va="center",
            fontsize=7,
        )
        if i:
            ax.annotate("", xy=(i * 1.5, 0), xytext=(i * 1.5 - 0.5, 0), arrowprops={"arrowstyle": "->"})
    ax.set_xlim(-0.2, 1.5 * len(stages) - 0.3)
    ax.set_ylim(-1.6, 1.9)
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def position_similarity(pos_embed: torch.Tensor) -> torch.Tensor:
    """Cosine similarity between the positional embeddings of the patches: (N, D) -> (N, N)."""
    unit = torch.nn.functional.normalize(pos_embed.detach().float().cpu(), dim=-1)  # (N, D)
    return unit @ unit.T  # (N, N)


def neighbour_similarity(pos_embed: torch.Tensor, grid: int) -> tuple[float, float]:
    """Mean cosine similarity of the embeddings of adjacent patches (sharing an edge) and of patches
    at least ``grid // 2`` rows or columns apart: a number for how much 2-D layout was learned."""
    similarity = position_similarity(pos_embed)  # (N, N)
    rows, cols = torch.arange(grid).repeat_interleave(grid), torch.arange(grid).repeat(grid)  # (N,), (N,)
    dr, dc = (rows[:, None] - rows[None]).abs(), (cols[:, None] - cols[None]).abs()  # (N, N)
    adjacent = (dr + dc) == 1
    far = torch.maximum(dr, dc) >= grid // 2
    return similarity[adjacent].mean().item(), similarity[far].mean().item()


def show_position_similarity(pos_embed: torch.Tensor, grid: int, title: str | None = None):
    """As in the ViT paper's Figure 7: for each patch, its embedding's similarity with every patch.

    ``pos_embed``: (N, D) with N = grid * grid (the class token's row left out).
    """
    similarity = position_similarity(pos_embed).reshape(grid, grid, grid, grid)  # (row, col, row', col')
    fig, axes = plt.subplots(grid, grid, figsize=(grid * 0.8, grid * 0.8 + 0.4), squeeze=False)
    for r in range(grid):
        for c in range(grid):
            image = axes[r][c].imshow(similarity[r, c], cmap="viridis", vmin=-1, vmax=1)
            axes[r][c].set_xticks([])
            axes[r][c].set_yticks([])
    fig.colorbar(image, ax=axes, shrink=0.6, label="cosine similarity")
    fig.suptitle(title or "similarity of position embeddings (tile = input patch)", fontsize=9)
    return fig


def _box(ax, x: float, y: float, w: float, h: float, text: str, color: str, fontsize: int = 8) -> None:
    ax.add_patch(plt.Rectangle((x, y), w, h, facecolor=color, edgecolor="black", alpha=0.45, lw=0.8))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "lw": 0.9})


def show_architecture(image: torch.Tensor | None = None, patch_size: int = 7, depth: int = 4):
    """The whole ViT, left to right, each box labelled with its attribute in ``VisionTransformer`` and
    each part with the equation of the paper (Dosovitskiy et al., 2021) it computes.

    ``image``: (C, H, W) or (H, W), drawn cut into ``patch_size`` patches on the left (optional).
    """
    fig, ax = plt.subplots(figsize=(13, 3.6))
    if image is not None:
        picture = image.detach().float().cpu().reshape(-1, *image.shape[-2:])[0]  # (H, W): first channel
        H, W = picture.shape
        ax.imshow(picture, cmap="gray", extent=(0.0, 1.6, 1.0, 2.6))
        for k in range(1, H // patch_size):
            ax.plot([0, 1.6], [2.6 - 1.6 * k * patch_size / H] * 2, color="tab:red", lw=0.6)
        for k in range(1, W // patch_size):
            ax.plot([1.6 * k * patch_size / W] * 2, [1.0, 2.6], color="tab:red", lw=0.6)
    else:
        _box(ax, 0.0, 1.0, 1.6, 1.6, "image\n(B, C, H, W)", "white")
    ax.text(0.8, 0.8, "image, cut into\nP x P patches", ha="center", va="top", fontsize=8)
    # equation 1: patch embedding, class token, positions
    _box(ax, 2.1, 1.3, 1.5, 1.0, "self.patch_embed\nConv2d, stride P\n$x_p^n E$", "tab:gray")
    _arrow(ax, (1.65, 1.8), (2.1, 1.8))
    for n in range(5):  # tokens: the class token then patch tokens
        color = "tab:orange" if n == 0 else "tab:blue"
        ax.add_patch(plt.Rectangle((4.05, 2.55 - 0.34 * n), 0.5, 0.28, facecolor=color, alpha=0.6))
    ax.text(
        4.3,
        2.95,
        "self.cls_token\n$x_\\mathrm{class}$ (index 0)",
        ha="center",
        fontsize=8,
        color="tab:orange",
    )
    ax.text(4.3, 0.95, "N patch tokens\n(B, N, D)", ha="center", va="top", fontsize=8, color="tab:blue")
    _arrow(ax, (3.6, 1.8), (4.0, 1.8))
    _box(ax, 4.9, 1.3, 1.4, 1.0, "+ self.pos_embed\n$E_\\mathrm{pos}$\n(1, N + 1, D)", "tab:green")
    _arrow(ax, (4.6, 1.8), (4.9, 1.8))
    _box(ax, 6.5, 1.45, 0.85, 0.7, "self.dropout", "white")
    _arrow(ax, (6.3, 1.8), (6.5, 1.8))
    # equations 2 and 3: the blocks
    ax.add_patch(
        plt.Rectangle((7.65, 0.75), 2.9, 2.3, facecolor="none", edgecolor="tab:purple", lw=1.2, ls="--")
    )
    ax.text(
        9.1,
        3.1,
        f"self.blocks: L = {depth} of make_block(...), $\\ell = 1 \\dots L$",
        ha="center",
        fontsize=8,
        color="tab:purple",
    )
    _box(
        ax,
        7.8,
        2.0,
        2.6,
        0.8,
        "LN → MSA → + residual\n$z'_\\ell = \\mathrm{MSA}(\\mathrm{LN}(z_{\\ell-1})) + z_{\\ell-1}$",
        "tab:purple",
        fontsize=7,
    )
    _box(
        ax,
        7.8,
        0.9,
        2.6,
        0.8,
        "LN → MLP → + residual\n$z_\\ell = \\mathrm{MLP}(\\mathrm{LN}(z'_\\ell)) + z'_\\ell$",
        "tab:purple",
        fontsize=7,
    )
    _arrow(ax, (9.1, 2.0), (9.1, 1.7))
    _arrow(ax, (7.35, 1.8), (7.65, 1.8))
    # equation 4 and the head
    _box(ax, 10.85, 1.3, 0.9, 1.0, "self.norm\nLN", "tab:olive")
    _arrow(ax, (10.55, 1.8), (10.85, 1.8))
    _box(ax, 12.05, 1.3, 1.0, 1.0, "pool\nx[:, 0]\n$y = \\mathrm{LN}(z_L^0)$", "tab:orange", fontsize=7)
    _arrow(ax, (11.75, 1.8), (12.05, 1.8))
    _box(ax, 13.35, 1.3, 0.95, 1.0, "self.head\nLinear\nlogits", "tab:red")
    _arrow(ax, (13.05, 1.8), (13.35, 1.8))
    # the equations under the parts they compute
    for (left, right), text in [
        ((2.1, 7.35), "eq. 1: $z_0 = [x_\\mathrm{class}; x_p^1 E; \\dots; x_p^N E] + E_\\mathrm{pos}$"),
        ((7.65, 10.55), "eq. 2-3: L pre-norm blocks"),
        ((10.85, 13.05), "eq. 4: $y = \\mathrm{LN}(z_L^0)$"),
        ((13.35, 14.3), "head"),
    ]:
        ax.plot([left, right], [0.45, 0.45], color="black", lw=1)
        ax.text((left + right) / 2, 0.35, text, ha="center", va="top", fontsize=9)
    ax.set_xlim(-0.1, 14.4)
    ax.set_ylim(-0.3, 3.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("the Vision Transformer, as your VisionTransformer names its parts", fontsize=10)
    fig.tight_layout()
    return fig
