"""Written for grey Fashion-MNIST images: one channel hard-coded."""
# verdict: test_patchify: fail: your code raised RuntimeError
# %% patchify
def patchify(images, patch_size):
    B, _, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.reshape(B, 1, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, -1, P * P)
