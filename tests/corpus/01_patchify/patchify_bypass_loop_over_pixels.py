"""Red team (of the run half): a comprehension over the P*P pixel offsets of a patch (the same count at every P=2 size)."""
# verdict: test_patchify: fail: loops in Python over
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("H and W must be divisible by the patch size")
    pieces = [images[:, :, i::P, j::P] for i in range(P) for j in range(P)]  # each (B, C, h, w)
    x = torch.stack(pieces, dim=2)  # (B, C, P*P, h, w)
    return x.reshape(B, C * P * P, -1).transpose(1, 2)
