"""Reuses patchify's permutation (0, 2, 4, 1, 3, 5) instead of its inverse."""
# verdict: test_unpatchify: fail: values are in the wrong place
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // (P * P)
    x = patches.reshape(B, height // P, width // P, C, P, P).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, C, height, width)
