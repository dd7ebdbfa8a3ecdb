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
    """One heat map per head of a (H, N, N) weight tensor: row = query, column = key.

    ``highlight`` marks (query, key) cells with a red square (the key a query should pick, say);
    ``titles`` replaces the panel titles "head 0", "head 1", ...
    """
    weights = weights.detach().float().cpu()
    H, Nq, Nk = weights.shape
    fig, axes = plt.subplots(1, H, figsize=(3.0 * H + 0.8, 3.0), squeeze=False)
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
