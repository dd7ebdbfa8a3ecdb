"""unpatchify that puts patches back down the columns first."""
# expect: test_unpatchify: patches are placed column-major (down the first column first)
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // (P * P)
    x = patches.reshape(B, width // P, height // P, C, P, P)  # (B, w, h, C, P, P)
    x = x.permute(0, 3, 2, 4, 1, 5)
    return x.reshape(B, C, height, width)
