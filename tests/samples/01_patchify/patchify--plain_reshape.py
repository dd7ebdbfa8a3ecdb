"""patchify as one plain reshape: rows of pixels instead of square patches."""
# expect: test_patchify: a plain reshape: consecutive pixels of whole image rows, not square patches
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("image size must be divisible by the patch size")
    N = (H // patch_size) * (W // patch_size)
    return images.reshape(B, N, C * patch_size * patch_size)
