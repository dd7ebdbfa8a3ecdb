"""torchvision's ViT-B/16 with ImageNet weights, found offline or not at all (notebook 7, part 2).

Nothing here downloads. The weights file (``vit_b_16-c867db91.pth``, 330 MB) is looked for

1. at the path in ``$VITLAB_VIT_B_16``, if set (an error if that file is missing or wrong);
2. in torch hub's checkpoint cache (``torch.hub.get_dir()/checkpoints``), where
   ``torchvision.models.vit_b_16(weights="DEFAULT")`` leaves it after one online run.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn
from torchvision.models import ViT_B_16_Weights, vit_b_16

ENV = "VITLAB_VIT_B_16"
WEIGHTS = ViT_B_16_Weights.DEFAULT


def file_name() -> str:
    return WEIGHTS.url.rsplit("/", 1)[-1]


def how_to_get() -> str:
    return (
        f"No pretrained ViT-B/16 weights here, so part 2 is skipped: run "
        f'`torchvision.models.vit_b_16(weights="DEFAULT")` once while online (it saves {file_name()} '
        f"to {Path(torch.hub.get_dir()) / 'checkpoints'}), or set ${ENV} to a copy of that file."
    )


def weights_path() -> Path | None:
    """Where the weights are on this machine, or None; a wrong ``$VITLAB_VIT_B_16`` is an error."""
    chosen = os.environ.get(ENV)
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"${ENV} is set to {path}, but there is no file there. Point it at "
                f"{file_name()} (the ViT-B/16 ImageNet weights) or unset it."
            )
        return path
    cached = Path(torch.hub.get_dir()) / "checkpoints" / file_name()
    return cached if cached.is_file() else None


def load_vit_b_16(path: Path | None = None) -> tuple[nn.Module, nn.Module] | None:
    """(the model with the weights loaded, the weights' preprocessing), or None when there are none."""
    path = path or weights_path()
    if path is None:
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise RuntimeError(
            f"could not read {path} as a PyTorch weights file ({type(error).__name__}: {error}). "
            f"Download {file_name()} again."
        ) from error
    model = vit_b_16(weights=None)
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError) as error:
        raise RuntimeError(
            f"{path} does not hold ViT-B/16 weights for torchvision's vit_b_16 "
            f"({str(error).splitlines()[0]}). Use {file_name()}."
        ) from error
    return model, WEIGHTS.transforms()


def as_rgb_batch(images: torch.Tensor, transforms: nn.Module) -> torch.Tensor:
    """Grayscale (B, 1, H, W) in [0, 1] -> the weights' input: (B, 3, 224, 224), resized and normalised."""
    return transforms(images.expand(-1, 3, -1, -1))  # (B, 3, 224, 224)


@torch.no_grad()
def head_inputs(
    model: nn.Module,
    head_name: str,
    images: torch.Tensor,
    transforms: nn.Module,
    device: torch.device | str = "cpu",
    batch_size: int = 32,
) -> torch.Tensor:
    """What the head at ``head_name`` receives for each grayscale image: (B, features), computed once.

    With a frozen backbone these never change, so a linear probe can train on them directly.
    """
    head = model.get_submodule(head_name)
    seen: list[torch.Tensor] = []
    hook = head.register_forward_hook(lambda module, args, output: seen.append(args[0].detach().cpu()))
    modes = {module: module.training for module in model.modules()}
    model.eval()
    try:
        for start in range(0, len(images), batch_size):
            model(as_rgb_batch(images[start : start + batch_size], transforms).to(device))
    finally:
        hook.remove()
        for module, mode in modes.items():
            module.training = mode
    return torch.cat(seen)  # (B, features)
