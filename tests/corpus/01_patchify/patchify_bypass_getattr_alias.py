"""Red team: getattr bound to another name, then F.unfold by a string."""
# verdict: test_patchify: fail: F.unfold
# %% patchify
import torch.nn.functional as F

look_up = getattr


def patchify(images, patch_size):
    _, _, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("H and W must be divisible by the patch size")
    return look_up(F, "unfold")(images, patch_size, stride=patch_size).transpose(1, 2)
