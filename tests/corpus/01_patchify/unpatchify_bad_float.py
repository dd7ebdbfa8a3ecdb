"""Casts to float32 on the way (the float64 hidden case)."""
# verdict: test_unpatchify: fail: cast to float32
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // (P * P)
    x = patches.float().reshape(B, height // P, width // P, C, P, P).permute(0, 3, 1, 4, 2, 5)
    return x.reshape(B, C, height, width)
