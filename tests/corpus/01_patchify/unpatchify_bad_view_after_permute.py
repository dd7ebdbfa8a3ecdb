"""view() after permute(): the permuted tensor is not contiguous."""
# verdict: test_unpatchify: fail: view size is not compatible
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // (P * P)
    x = patches.view(B, height // P, width // P, C, P, P).permute(0, 3, 1, 4, 2, 5)
    return x.view(B, C, height, width)
