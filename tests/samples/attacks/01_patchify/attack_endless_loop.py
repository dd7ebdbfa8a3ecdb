"""The reference answers, then an endless loop in the unpatchify cell."""
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    h, w, C = height // P, width // P, K // (P * P)
    return patches.reshape(B, h, w, C, P, P).permute(0, 3, 1, 4, 2, 5).reshape(B, C, height, width)


while True:
    pass
