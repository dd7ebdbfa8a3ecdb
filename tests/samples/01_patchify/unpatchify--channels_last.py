"""unpatchify reading each patch vector as (P, P, C)."""
# expect: test_unpatchify: each patch is read as (P, P, C), channels last
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // (P * P)
    x = patches.reshape(B, height // P, width // P, P, P, C)
    x = x.permute(0, 5, 1, 3, 2, 4)
    return x.reshape(B, C, height, width)
