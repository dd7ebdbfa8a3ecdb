"""Red team: patchify through the private built-in behind F.unfold, torch._C._nn.im2col."""
# verdict: test_patchify: fail: torch._C._nn.im2col
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("H and W must be divisible by the patch size")
    cols = torch._C._nn.im2col(images, (P, P), (1, 1), (0, 0), (P, P))  # (B, C*P*P, N)
    return cols.transpose(1, 2)
