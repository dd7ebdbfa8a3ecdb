"""Figures of notebook 6: training curves, confusion matrix, image grids, attention maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch


def show_history(history: list[dict]):
    """Loss, accuracy and learning rate per epoch, from the dicts that ``fit`` records."""
    epochs = [h["epoch"] for h in history]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3))
    for key in ("train_loss", "test_loss"):
        axes[0].plot(epochs, [h[key] for h in history], "o-", label=key.replace("_", " "))
    for key in ("train_accuracy", "test_accuracy"):
        axes[1].plot(epochs, [h[key] for h in history], "o-", label=key.replace("_", " "))
    axes[2].plot(epochs, [h["lr"] for h in history], "o-")
    for ax, title in zip(axes, ["loss", "accuracy", "learning rate at the end of the epoch"], strict=True):
        ax.set_title(title)
        ax.set_xlabel("epoch")
    axes[0].legend()
    axes[1].legend()
    fig.tight_layout()
    return fig


def predict(model: torch.nn.Module, loader, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted and true labels over a loader (eval mode, no gradients)."""
    model.eval()
    predictions, labels = [], []
    with torch.no_grad():
        for images, targets in loader:
            predictions.append(model(images.to(device)).argmax(dim=1).cpu())
            labels.append(targets)
    return torch.cat(predictions), torch.cat(labels)


def show_confusion(predictions: torch.Tensor, labels: torch.Tensor, classes: tuple[str, ...]):
    k = len(classes)
    counts = torch.zeros(k, k, dtype=torch.int64)
    counts.index_put_((labels, predictions), torch.ones_like(labels), accumulate=True)  # (true, predicted)
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.imshow(counts, cmap="Blues")
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                int(counts[i, j]),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if counts[i, j] > counts.max() / 2 else "black",
            )
    ax.set_xticks(range(k), classes, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), classes, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    accuracy = counts.diag().sum().item() / max(1, counts.sum().item())
    ax.set_title(f"confusion matrix (accuracy {accuracy:.3f})")
    fig.tight_layout()
    return fig


def show_images(images: torch.Tensor, titles: list[str], title: str = "", columns: int = 6):
    rows = max(1, (len(images) + columns - 1) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.6, rows * 1.9), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(images):
            ax.imshow(images[index, 0].cpu(), cmap="gray")
            ax.set_title(titles[index], fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def show_attention_maps(
    images: torch.Tensor,
    maps: torch.Tensor,
    title: str = "test images and what the head reads (attention rollout)",
):
    """Each image (B, 1, H, W) above its attention map (B, h, w), upsampled to the image size."""
    count = len(images)
    fig, axes = plt.subplots(2, count, figsize=(count * 1.6, 3.4), squeeze=False)
    upsampled = torch.nn.functional.interpolate(maps[:, None], size=images.shape[-2:], mode="nearest")[:, 0]
    for i in range(count):
        axes[0, i].imshow(images[i, 0], cmap="gray")
        axes[1, i].imshow(images[i, 0], cmap="gray")
        axes[1, i].imshow(upsampled[i], cmap="inferno", alpha=0.6)
        axes[0, i].axis("off")
        axes[1, i].axis("off")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig
