"""patchify flattening each patch as (P, P, C), the layout of channels-last images."""
# expect: test_patchify: each patch is flattened as (P, P, C), channels last
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.reshape(B, C, H // P, P, W // P, P)
    x = x.permute(0, 2, 4, 3, 5, 1)  # (B, h, w, P, P, C)
    return x.reshape(B, -1, C * P * P)
