"""Red team: F.pixel_unshuffle: cuts the patches for you (not reshape/permute)."""
# verdict: test_patchify: fail: pixel_unshuffle
# %% patchify
import torch.nn.functional as F


def patchify(images, patch_size):
    _, _, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("H and W must be divisible by the patch size")
    return F.pixel_unshuffle(images, patch_size).flatten(2).transpose(1, 2)
