"""patchify calling view() on the permuted grid."""
# expect: test_patchify: view() on a tensor that permute() or transpose() left non-contiguous
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    grid = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return grid.view(B, (H // P) * (W // P), C * P * P)
