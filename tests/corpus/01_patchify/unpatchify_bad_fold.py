"""unpatchify through F.fold, which the exercise forbids."""
# verdict: test_unpatchify: fail: F.fold
# %% unpatchify
import torch.nn.functional as F


def unpatchify(patches, patch_size, height, width):
    return F.fold(patches.transpose(1, 2), (height, width), kernel_size=patch_size, stride=patch_size)
