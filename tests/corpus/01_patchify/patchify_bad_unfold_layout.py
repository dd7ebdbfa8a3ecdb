"""Returns F.unfold's layout, (B, C*P*P, N): the patch axis and the value axis are not swapped."""
# verdict: test_patchify: fail: F.unfold's layout
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.reshape(B, C, H // P, P, W // P, P).permute(0, 1, 3, 5, 2, 4)  # (B, C, P, P, h, w)
    return x.reshape(B, C * P * P, -1)
