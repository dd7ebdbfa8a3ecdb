"""patchify through NumPy: right values on the CPU, but the patches are cut off from autograd."""
# expect: test_patchify: the output is cut off from autograd (a NumPy round trip, .detach() or .data)
# %% patchify
import numpy as np


def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.detach().cpu().numpy().reshape(B, C, H // P, P, W // P, P)
    x = np.transpose(x, (0, 2, 4, 1, 3, 5)).reshape(B, -1, C * P * P)
    return torch.from_numpy(np.ascontiguousarray(x))
