"""patchify with the axes reordered by an einsum that only permutes."""
# verdict: test_patchify: pass
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("H and W must be divisible by the patch size")
    x = images.reshape(B, C, H // P, P, W // P, P)
    x = torch.einsum("bchpwq->bhwcpq", x)
    return x.reshape(B, (H // P) * (W // P), C * P * P)
