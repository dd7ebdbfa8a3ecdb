"""view() after permute(): the permuted tensor is not contiguous, so view raises."""
# verdict: test_patchify: fail: view size is not compatible
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.view(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return x.view(B, -1, C * P * P)
