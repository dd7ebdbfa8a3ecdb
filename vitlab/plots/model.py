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


def show_token_flow(stages: Sequence[tuple[str, tuple[int, ...]]],
                    title: str = "token shapes through the model"):
    """Each stage as a box whose height grows (log scale) with its number of tokens (pixels for the
    4-D stages), labelled with its shape.

    ``stages``: (name, shape) pairs in order, e.g. ("patch_embed", (8, 64, 4, 4)).
    """
    fig, ax = plt.subplots(figsize=(1.55 * len(stages), 3.0))
    tokens = [shape[1] if len(shape) == 3 else (shape[2] * shape[3] if len(shape) == 4 else 1)
              for _, shape in stages]
    tallest = math.log(max(tokens) + 1)
    for i, ((name, shape), n) in enumerate(zip(stages, tokens, strict=True)):
        height = 0.3 + 2.2 * math.log(n + 1) / tallest  # log scale: 784 pixels ... 1 pooled vector
        color = "tab:blue" if len(shape) == 3 else ("tab:gray" if len(shape) == 4 else "tab:orange")
        ax.add_patch(plt.Rectangle((i * 1.5, -height / 2), 1.0, height, color=color, alpha=0.35))
        ax.text(i * 1.5 + 0.5, height / 2 + 0.12, name, ha="center", va="bottom", fontsize=8)
        ax.text(i * 1.5 + 0.5, 0, "\n".join(["(" + ", ".join(map(str, shape)) + ")"]), ha="center",
                va="center", fontsize=7)
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
