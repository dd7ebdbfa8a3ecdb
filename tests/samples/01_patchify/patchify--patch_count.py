"""The seed exercise's convention: patch_size read as the number of patches per side."""
# expect: test_patchify: patch_size was used as the number of patches per side
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("image size must be divisible by the patch size")
    ph, pw = H // patch_size, W // patch_size  # patch height and width
    x = images.reshape(B, C, patch_size, ph, patch_size, pw)
    x = x.permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, patch_size * patch_size, C * ph * pw)
