"""The course's trainable ViT, built from PyTorch's own modules (used by notebooks 6 and 7).

It is the model of notebook 5 with ``nn.Conv2d`` as the patch embedding (notebook 1) and pre-norm
``nn.TransformerEncoderLayer`` blocks (notebook 4), so the training notebooks never give away the
answers of notebooks 1 to 5. To train your own parts instead, swap ``patch_embed`` and the layers
for your classes: the shapes are the same.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class ViTConfig:
    image_size: int = 28
    patch_size: int = 4
    dim: int = 96
    depth: int = 6
    heads: int = 4
    mlp_ratio: float = 2.0
    dropout: float = 0.0
    classes: int = 10
    pool: str = "cls"  # "cls": read a class token; "mean": average the patch tokens (no class token)
    channels: int = 1


class ViT(nn.Module):
    """Images (B, C, H, W) -> logits (B, classes); ``features`` gives the pooled (B, dim) vector."""

    def __init__(self, cfg: ViTConfig):
        super().__init__()
        if cfg.image_size % cfg.patch_size:
            raise ValueError(f"image_size {cfg.image_size} is not a multiple of patch_size {cfg.patch_size}")
        if cfg.pool not in ("cls", "mean"):
            raise ValueError(f"pool must be 'cls' or 'mean', not {cfg.pool!r}")
        self.cfg = cfg
        tokens = (cfg.image_size // cfg.patch_size) ** 2 + (cfg.pool == "cls")
        self.patch_embed = nn.Conv2d(cfg.channels, cfg.dim, kernel_size=cfg.patch_size, stride=cfg.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, cfg.dim)) if cfg.pool == "cls" else None
        self.pos_embed = nn.Parameter(torch.randn(1, tokens, cfg.dim) * 0.02)
        layer = nn.TransformerEncoderLayer(cfg.dim, cfg.heads, int(cfg.dim * cfg.mlp_ratio), cfg.dropout,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, cfg.depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(cfg.dim)
        self.head = nn.Linear(cfg.dim, cfg.classes)

    def tokens(self, images: torch.Tensor) -> torch.Tensor:
        """The embedded patches (the class token in front, if any), positions added: (B, T, D)."""
        x = self.patch_embed(images).flatten(2).transpose(1, 2)  # (B, N, D)
        if self.cls_token is not None:
            x = torch.cat([self.cls_token.expand(len(x), -1, -1), x], dim=1)  # (B, N+1, D)
        return x + self.pos_embed  # (B, T, D)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The pooled representation the head reads: (B, D)."""
        x = self.norm(self.blocks(self.tokens(images)))  # (B, T, D)
        return x[:, 0] if self.cls_token is not None else x.mean(dim=1)  # (B, D)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(images))  # (B, classes): logits, no softmax
