"""Red team: Tensor.set_ with hand-made strides: as_strided under another name."""
# verdict: test_patchify: fail: set_
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("H and W must be divisible by the patch size")
    h, w = H // P, W // P
    s = images.stride()
    x = images.new_empty(0).set_(images.untyped_storage(), images.storage_offset(), (B, h, w, C, P, P),
                                 (s[0], P * s[2], P * s[3], s[1], s[2], s[3]))
    return x.reshape(B, h * w, C * P * P)
