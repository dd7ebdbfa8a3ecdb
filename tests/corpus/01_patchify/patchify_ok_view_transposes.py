"""patchify as a chain of view and transpose calls, made contiguous before the last view."""
# verdict: test_patchify: pass
# %% patchify
def patchify(images, patch_size):
    b, c, H, W = images.shape
    p = patch_size
    if H % p or W % p:
        raise ValueError("height and width must be multiples of patch_size")
    nh, nw = H // p, W // p
    x = images.contiguous().view(b, c, nh, p, nw, p)
    x = x.transpose(3, 4)  # (b, c, nh, nw, p, p)
    x = x.transpose(1, 2).transpose(2, 3)  # (b, nh, nw, c, p, p)
    return x.contiguous().view(b, nh * nw, c * p * p)
