"""unpatchify reading the channel axis before the patch grid."""
# expect: test_unpatchify: the channel axis is read before the patch grid
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // (P * P)
    x = patches.reshape(B, C, height // P, width // P, P, P)
    x = x.permute(0, 1, 2, 4, 3, 5)
    return x.reshape(B, C, height, width)
