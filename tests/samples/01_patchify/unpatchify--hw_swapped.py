"""unpatchify ending with a view to (B, C, W, H)."""
# expect: test_unpatchify: the height and the width are swapped in the last reshape
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // (P * P)
    x = patches.reshape(B, height // P, width // P, C, P, P).permute(0, 3, 1, 4, 2, 5).contiguous()
    return x.view(B, C, width, height)
