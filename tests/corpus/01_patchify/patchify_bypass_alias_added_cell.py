"""Red team: an alias u = F.unfold made in a cell the student added, used by patchify."""
# verdict: test_patchify: fail: from scratch
# %% +patchify
import torch.nn.functional as F

u = F.unfold
# %% patchify
def patchify(images, patch_size):
    _, _, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("H and W must be divisible by the patch size")
    return u(images, kernel_size=patch_size, stride=patch_size).transpose(1, 2)
