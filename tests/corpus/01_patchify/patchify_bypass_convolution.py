"""Red team: torch.convolution with an identity kernel."""
# verdict: test_patchify: fail: convolution
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("H and W must be divisible by the patch size")
    K = C * P * P
    eye = torch.eye(K, dtype=images.dtype, device=images.device).reshape(K, C, P, P)
    out = torch.convolution(images, eye, None, [P, P], [0, 0], [1, 1], False, [0, 0], 1)
    return out.flatten(2).transpose(1, 2)
