"""Red team: torch.unfold_copy, Tensor.unfold under another name."""
# verdict: test_patchify: fail: unfold_copy
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("H and W must be divisible by the patch size")
    x = torch.unfold_copy(torch.unfold_copy(images, 2, P, P), 3, P, P)  # (B, C, h, w, P, P)
    return x.permute(0, 2, 3, 1, 4, 5).reshape(B, -1, C * P * P)
