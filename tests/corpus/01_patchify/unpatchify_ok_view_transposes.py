"""unpatchify as view, transposes and contiguous, undoing patchify step by step."""
# verdict: test_unpatchify: pass
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    b, n, k = patches.shape
    p = patch_size
    nh, nw = height // p, width // p
    c = k // p // p
    x = patches.contiguous().view(b, nh, nw, c, p, p)
    x = x.transpose(2, 3).transpose(1, 2)  # (b, c, nh, nw, p, p)
    x = x.transpose(3, 4)  # (b, c, nh, p, nw, p)
    return x.contiguous().view(b, c, height, width)
