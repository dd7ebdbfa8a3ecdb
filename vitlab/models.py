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
    token_keep: float = 1.0  # training only: the fraction of patch tokens each image keeps (PatchDropout)


class ViT(nn.Module):
    """Images (B, C, H, W) -> logits (B, classes); ``features`` gives the pooled (B, dim) vector."""

    def __init__(self, cfg: ViTConfig):
        super().__init__()
        if cfg.image_size % cfg.patch_size:
            raise ValueError(f"image_size {cfg.image_size} is not a multiple of patch_size {cfg.patch_size}")
        if not 0.0 < cfg.token_keep <= 1.0:
            raise ValueError(f"token_keep must be in (0, 1], not {cfg.token_keep}")
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

    def keep_random_patches(self, x: torch.Tensor) -> torch.Tensor:
        """A random subset of each image's patch tokens, the class token always kept: (B, T', D).

        PatchDropout (Liu et al., 2022): a mean-pooled or class-token ViT does not need every patch
        to learn, and fewer tokens make each step cheaper. Evaluation sees all patches.
        """
        first = int(self.cls_token is not None)
        patches = x[:, first:]  # (B, N, D)
        keep = max(1, round(self.cfg.token_keep * patches.shape[1]))
        order = torch.rand(patches.shape[:2], device=x.device).argsort(dim=1)[:, :keep]  # (B, keep)
        kept = patches.gather(1, order.unsqueeze(-1).expand(-1, -1, patches.shape[2]))  # (B, keep, D)
        return torch.cat([x[:, :first], kept], dim=1)  # (B, first + keep, D)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The pooled representation the head reads: (B, D)."""
        x = self.tokens(images)  # (B, T, D)
        if self.training and self.cfg.token_keep < 1.0:
            x = self.keep_random_patches(x)  # (B, T', D)
        x = self.norm(self.blocks(x))  # (B, T, D)
        return x[:, 0] if self.cls_token is not None else x.mean(dim=1)  # (B, D)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(images))  # (B, classes): logits, no softmax
