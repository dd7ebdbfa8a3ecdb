"""patchify casting every input to float32."""
# expect: test_patchify: the output is cast to float32: keep the input's dtype
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.float().reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, -1, C * P * P)
