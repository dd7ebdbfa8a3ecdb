"""Figures of normalisation (notebook 4): which axis LayerNorm and BatchNorm normalise, and what a
norm on the residual path does to it, drawn from the student's own outputs.

Letters: B batch, N tokens, D features; a token is one row of the (B·N, D) table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch


def _table(ax, values: torch.Tensor, N: int, title: str) -> None:
    """(B·N, D) as a heat map, one row per token, a line between the sequences."""
    limit = float(values.abs().max())
    ax.imshow(values, cmap="coolwarm", vmin=-limit, vmax=limit, aspect="auto", interpolation="nearest")
    for row in range(N, values.shape[0], N):
        ax.axhline(row - 0.5, color="black", lw=0.6)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("feature (D)")
    ax.set_ylabel("token (B·N rows)")


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    """The extent of one set of statistics, drawn over the table."""
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "<->", "color": "black", "lw": 2.2})


def show_norm_axes(tokens: torch.Tensor, layer_normed: torch.Tensor, batch_normed: torch.Tensor):
    """A batch of token vectors (B, N, D), its LayerNorm and its BatchNorm, as (B·N, D) tables, with each
    token's mean and standard deviation and each feature's standard deviation underneath."""
    B, N, D = tokens.shape
    tables = [t.detach().reshape(B * N, D).cpu() for t in (tokens, layer_normed, batch_normed)]
    labels = ["tokens x", "LayerNorm (yours)", "BatchNorm"]
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.4), gridspec_kw={"height_ratios": [3, 2]})
    _table(axes[0, 0], tables[0], N, f"tokens x, (B, N, D) = ({B}, {N}, {D})")
    _table(axes[0, 1], tables[1], N, "LayerNorm (your layer_norm):\none mean and variance per row (token)")
    _table(axes[0, 2], tables[2], N, "BatchNorm:\none mean and variance per column (feature)")
    _arrow(axes[0, 1], (-0.5, N // 2), (D - 0.5, N // 2))  # along one token's features
    _arrow(axes[0, 2], (D // 2, -0.5), (D // 2, B * N - 0.5))  # down one feature, every token of the batch
    stats = [
        ("mean of each token (over its D features)", lambda t: t.mean(1), "token"),
        ("std of each token (over its D features)", lambda t: t.std(1, correction=0), "token"),
        ("std of each feature (over the B·N tokens)", lambda t: t.std(0, correction=0), "feature"),
    ]
    for ax, (title, stat, axis) in zip(axes[1], stats, strict=True):
        for table, label, style in zip(tables, labels, ("-", "o-", "s--"), strict=True):
            ax.plot(stat(table), style, ms=3, lw=1, label=label)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(axis)
        ax.axhline(0, color="gray", lw=0.5)
    axes[1, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def show_residual_stream(curves: Mapping[str, Sequence[float]], ax=None, title: str | None = None):
    """The typical size of a token, sqrt(mean of its D features squared), after each block."""
    ax = ax or plt.gca()
    for (label, values), marker in zip(curves.items(), "os^v", strict=False):
        ax.plot(range(len(values)), list(values), marker=marker, label=label)
    ax.set_xlabel("after block (0 = the input)")
    ax.set_ylabel("RMS of a token on the residual path")
    ax.set_title(title or "the residual stream, block by block")
    ax.legend()
    return ax
