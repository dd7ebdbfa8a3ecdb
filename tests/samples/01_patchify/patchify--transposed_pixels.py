"""patchify reading the pixels of each patch column by column."""
# expect: test_patchify: the pixels inside each patch are read column by column
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.reshape(B, C, H // P, P, W // P, P)
    x = x.permute(0, 2, 4, 1, 5, 3)  # (B, h, w, C, P_cols, P_rows)
    return x.reshape(B, -1, C * P * P)
