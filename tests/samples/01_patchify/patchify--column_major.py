"""patchify with the patch-grid axes swapped: patches come out column-major."""
# expect: test_patchify: patches come out column-major (down the first column of patches first)
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.reshape(B, C, H // P, P, W // P, P)
    x = x.permute(0, 4, 2, 1, 3, 5)  # (B, w, h, C, P, P): the grid axes swapped
    return x.reshape(B, -1, C * P * P)
