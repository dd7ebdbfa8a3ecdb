"""Assumes a square grid: h = w = sqrt(N)."""
# verdict: test_unpatchify: fail: your code raised RuntimeError
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    n = int(N ** 0.5)
    C = K // (P * P)
    x = patches.reshape(B, n, n, C, P, P).permute(0, 3, 1, 4, 2, 5)
    return x.reshape(B, C, n * P, n * P)
