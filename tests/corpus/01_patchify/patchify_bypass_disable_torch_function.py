"""Red team: F.unfold inside torch._C.DisableTorchFunction(), which hides it from torch-function modes."""
# verdict: test_patchify: fail: F.unfold
# %% patchify
import torch.nn.functional as F


def patchify(images, patch_size):
    _, _, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("H and W must be divisible by the patch size")
    with torch._C.DisableTorchFunction():
        return F.unfold(images, patch_size, stride=patch_size).transpose(1, 2)
