"""Red team: F.unfold reached as getattr(F, "un" + "fold"), a name the code never spells out."""
# verdict: test_patchify: fail: getattr with a computed name
# %% patchify
import torch.nn.functional as F


def patchify(images, patch_size):
    _, _, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("H and W must be divisible by the patch size")
    cut = getattr(F, "un" + "fold")
    return cut(images, kernel_size=patch_size, stride=patch_size).transpose(1, 2)
