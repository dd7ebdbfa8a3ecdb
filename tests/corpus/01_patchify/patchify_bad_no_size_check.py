"""No divisibility check at all: reshape fails with its own RuntimeError."""
# verdict: test_patchify: fail: expected a ValueError, but your code raised RuntimeError
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    x = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, -1, C * P * P)
