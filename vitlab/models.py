"""The course's trainable ViT for notebooks 6-8: torchvision's ``VisionTransformer``, with two extras.

Notebook 5 asks you to write the ViT's forward pass yourself, so this module does not: the model
*is* torchvision's (the same implementation notebook 5 checks yours against, whose source is
public), built for 1-channel 28 x 28 images, with the course's two extras added from outside by
hooks, never by a forward pass of our own:

* **PatchDropout** (Liu et al., 2022; ``token_keep``): in training, each image keeps a random
  fraction of its patch tokens (the class token always); a step gets cheaper and the model
  regularised. Evaluation sees every patch.
* **mean pooling** (``pool="mean"``, the D2L §11.8 exercise): the head reads the mean of the patch
  tokens instead of the class token.

Names to know (torchvision's): ``conv_proj`` (the patch embedding), ``class_token``,
``encoder.pos_embedding``, ``encoder.layers`` (the blocks: ``ln_1``, ``self_attention``, ``ln_2``,
``mlp``), ``encoder.ln`` (the final norm), ``heads.head`` (the classifier).

Notebook 6 saves its trained model to :func:`checkpoint_path` (``checkpoints/course_vit.pt`` at the
course's root, git-ignored); notebooks 1 and 8 load it from there when it exists.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torchvision.models.vision_transformer import VisionTransformer


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
    pool: str = "cls"  # "cls": the head reads the class token; "mean": the mean of the patch tokens
    channels: int = 1
    token_keep: float = 1.0  # training only: the fraction of patch tokens each image keeps (PatchDropout)


class ViT(VisionTransformer):
    """torchvision's ViT for ``cfg``: images (B, C, H, W) -> logits (B, classes)."""

    def __init__(self, cfg: ViTConfig):
        if cfg.image_size % cfg.patch_size:
            raise ValueError(f"image_size {cfg.image_size} is not a multiple of patch_size {cfg.patch_size}")
        if not 0.0 < cfg.token_keep <= 1.0:
            raise ValueError(f"token_keep must be in (0, 1], not {cfg.token_keep}")
        if cfg.pool not in ("cls", "mean"):
            raise ValueError(f"pool must be 'cls' or 'mean', not {cfg.pool!r}")
        super().__init__(
            image_size=cfg.image_size,
            patch_size=cfg.patch_size,
            num_layers=cfg.depth,
            num_heads=cfg.heads,
            hidden_dim=cfg.dim,
            mlp_dim=int(cfg.dim * cfg.mlp_ratio),
            dropout=cfg.dropout,
            num_classes=cfg.classes,
        )
        self.cfg = cfg
        # torchvision's patch embedding takes 3 channels: one for our channels, initialised as its own
        self.conv_proj = nn.Conv2d(cfg.channels, cfg.dim, kernel_size=cfg.patch_size, stride=cfg.patch_size)
        nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / (cfg.channels * cfg.patch_size**2)))
        nn.init.zeros_(self.conv_proj.bias)
        self.encoder.layers.register_forward_pre_hook(self._keep_random_patches)
        if cfg.pool == "mean":
            self.encoder.register_forward_hook(self._mean_of_patches_first)

    # -- the extras, as hooks ------------------------------------------------------------------------

    def _keep_random_patches(
        self, module: nn.Module, args: tuple[torch.Tensor]
    ) -> tuple[torch.Tensor] | None:
        """Before the blocks, in training: a random ``token_keep`` of each image's patch tokens."""
        if not self.training or self.cfg.token_keep >= 1.0:
            return None
        (x,) = args  # (B, 1 + N, D): the class token, then the patches, positions added
        patches = x[:, 1:]  # (B, N, D)
        keep = max(1, round(self.cfg.token_keep * patches.shape[1]))
        order = torch.rand(patches.shape[:2], device=x.device).argsort(dim=1)[:, :keep]  # (B, keep)
        kept = patches.gather(1, order.unsqueeze(-1).expand(-1, -1, patches.shape[2]))  # (B, keep, D)
        return (torch.cat([x[:, :1], kept], dim=1),)  # (B, 1 + keep, D)

    @staticmethod
    def _mean_of_patches_first(module: nn.Module, args, output: torch.Tensor) -> torch.Tensor:
        """After the encoder: put the mean of the patch tokens where the head reads (position 0)."""
        patches = output[:, 1:]  # (B, N, D)
        return torch.cat([patches.mean(dim=1, keepdim=True), patches], dim=1)  # (B, 1 + N, D)

    # -- what the notebooks read ---------------------------------------------------------------------

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """What the head reads (the pooled representation): (B, D)."""
        with inputs_of(self.heads) as seen:
            self(images)
        return seen[0]


@contextmanager
def inputs_of(module: nn.Module):
    """Collect the first input of every call of ``module`` while the block runs."""
    seen: list[torch.Tensor] = []
    handle = module.register_forward_pre_hook(lambda m, args: seen.append(args[0]))
    try:
        yield seen
    finally:
        handle.remove()


def checkpoint_path(start: Path | str | None = None) -> Path:
    """``checkpoints/course_vit.pt`` at the course's root: the first folder upwards from ``start``
    (a notebook's folder; default: the working directory, where Jupyter runs a notebook) that holds
    ``pyproject.toml``; ``start`` itself when none does."""
    here = Path.cwd() if start is None else Path(start)
    here = here.resolve()
    root = next((folder for folder in (here, *here.parents) if (folder / "pyproject.toml").is_file()), here)
    return root / "checkpoints" / "course_vit.pt"
