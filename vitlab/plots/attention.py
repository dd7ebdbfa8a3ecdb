"""Figures of attention weights (notebook 3 onwards), drawn from the student's own outputs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch


def show_attention_heads(
    weights: torch.Tensor,
    labels: list[str] | None = None,
    title: str = "attention weights",
    highlight: list[tuple[int, int]] | None = None,
    titles: list[str] | None = None,
):
    """One heat map per head of a (nh, N, N) weight tensor: row = query, column = key.

    ``highlight`` marks (query, key) cells with a red square (the key a query should pick, say);
    ``titles`` replaces the panel titles "head 0", "head 1", ...
    """
    weights = weights.detach().float().cpu()
    nh, Nq, Nk = weights.shape
    fig, axes = plt.subplots(1, nh, figsize=(3.0 * nh + 0.8, 3.0), squeeze=False)
    fig.subplots_adjust(wspace=0.5 if labels is not None else 0.3)
    for h, ax in enumerate(axes.flat):
        image = ax.imshow(weights[h], cmap="viridis", vmin=0, vmax=1)
        ax.set_title(titles[h] if titles else f"head {h}", fontsize=9)
        ax.set_xlabel("key", fontsize=8)
        if h == 0:
            ax.set_ylabel("query", fontsize=8)
        if labels is not None:
            ax.set_xticks(range(Nk), labels[:Nk], fontsize=7, rotation=90)
            ax.set_yticks(range(Nq), labels[:Nq], fontsize=7)
        for q, k in highlight or []:
            ax.add_patch(plt.Rectangle((k - 0.5, q - 0.5), 1, 1, fill=False, edgecolor="red", lw=1.5))
    fig.colorbar(image, ax=list(axes.flat), fraction=0.02)
    fig.suptitle(title, fontsize=10)
    return fig


def show_qkv_layout(dim: int, heads: int):
    """The 3D features of a fused qkv projection read as (3, nh, d): q, k, v, then the heads of each.

    One strip of 3 * dim cells, one colour per part (q, k, v), a lighter shade per head; each block
    is labelled with its part, its head and its first feature index.
    """
    d = dim // heads
    fig, ax = plt.subplots(figsize=(min(12.0, 1.2 + 0.22 * 3 * dim), 1.7))
    for s, (part, cmap) in enumerate(zip("qkv", ("Blues", "Oranges", "Greens"), strict=True)):
        colours = plt.get_cmap(cmap)
        for h in range(heads):
            start = s * dim + h * d
            shade = colours(0.75 - 0.45 * h / max(heads - 1, 1))
            ax.add_patch(plt.Rectangle((start, 0), d, 1, facecolor=shade, edgecolor="white", lw=1.5))
            ax.text(start + d / 2, 0.5, f"{part}, head {h}", ha="center", va="center", fontsize=8)
        ax.axvline(s * dim, color="black", lw=2)
    ax.set(xlim=(0, 3 * dim), ylim=(0, 1), yticks=[])
    ax.set_xticks([s * dim + h * d for s in range(3) for h in range(heads)] + [3 * dim])
    ax.tick_params(labelsize=7)
    where = f"D = {dim}, nh = {heads}, d = {d}"
    ax.set_xlabel(f"feature index of self.qkv(x), the last axis of (B, N, 3D), for {where}", fontsize=8)
    fig.tight_layout()
    return fig
