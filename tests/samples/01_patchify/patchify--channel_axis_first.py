"""patchify with Tensor.unfold but without moving the channel axis behind the patch grid."""
# expect: test_patchify: the channel axis was never moved behind the patch grid (channels mixed into patches)
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.unfold(2, P, P).unfold(3, P, P)  # (B, C, h, w, P, P)
    return x.reshape(B, -1, C * P * P)
