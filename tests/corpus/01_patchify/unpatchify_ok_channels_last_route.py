"""unpatchify through a channels-last image, then back to (B, C, H, W)."""
# verdict: test_unpatchify: pass
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // P ** 2
    x = patches.reshape(B, height // P, width // P, C, P, P)
    x = x.permute(0, 1, 4, 2, 5, 3)  # (B, h, P, w, P, C)
    x = x.reshape(B, height, width, C)
    return x.permute(0, 3, 1, 2)  # (B, C, H, W)
