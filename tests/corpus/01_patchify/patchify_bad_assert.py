"""The seed notebook's habit: an assert instead of raising a ValueError."""
# verdict: test_patchify: fail: expected a ValueError, but your code raised AssertionError
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    assert H % patch_size == 0 and W % patch_size == 0, "image size must be divisible by patch size"
    P = patch_size
    x = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, -1, C * P * P)
