"""patchify transposing its result "to match F.unfold": (B, C*P*P, N) instead of (B, N, C*P*P)."""
# expect: test_patchify: the output is (B, C*P*P, N), F.unfold's layout: the patch axis and the value axis are swapped
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, -1, C * P * P).transpose(1, 2)
