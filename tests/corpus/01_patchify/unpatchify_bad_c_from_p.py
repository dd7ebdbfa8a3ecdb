"""Recovers the channels as K // P instead of K // (P * P)."""
# verdict: test_unpatchify: fail: your code raised RuntimeError
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // P
    x = patches.reshape(B, height // P, width // P, C, P, P).permute(0, 3, 1, 4, 2, 5)
    return x.reshape(B, C, height, width)
