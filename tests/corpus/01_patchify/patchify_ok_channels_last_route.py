"""patchify that first moves the channels last, cuts there, and moves them back inside each patch."""
# verdict: test_patchify: pass
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("patch_size must divide both H and W")
    x = images.permute(0, 2, 3, 1)  # (B, H, W, C)
    x = x.reshape(B, H // P, P, W // P, P, C)  # (B, h, P, w, P, C)
    x = x.permute(0, 1, 3, 5, 2, 4)  # (B, h, w, C, P, P)
    return x.reshape(B, -1, C * P ** 2)
