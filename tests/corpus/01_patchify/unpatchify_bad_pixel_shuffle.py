"""unpatchify through F.pixel_shuffle: right pixels, but a built-in does the pasting."""
# verdict: test_unpatchify: fail: pixel_shuffle
# %% unpatchify
import torch.nn.functional as F


def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    x = patches.transpose(1, 2).reshape(B, K, height // P, width // P)  # (B, C*P*P, h, w)
    return F.pixel_shuffle(x, P)
