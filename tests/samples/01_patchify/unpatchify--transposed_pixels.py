"""unpatchify putting each patch's pixels back column by column."""
# expect: test_unpatchify: the pixels inside each patch are put back column by column
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // (P * P)
    x = patches.reshape(B, height // P, width // P, C, P, P)
    x = x.permute(0, 3, 1, 5, 2, 4)
    return x.reshape(B, C, height, width)
