"""unpatchify as a single reshape back to (B, C, H, W)."""
# expect: test_unpatchify: a plain reshape back to (B, C, H, W): the pixels land in the wrong places
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    return patches.reshape(B, K // (patch_size * patch_size), height, width)
