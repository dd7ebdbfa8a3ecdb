"""patchify reading the last two sizes as (width, height): right for square images only."""
# expect: test_patchify: the height and the width are swapped (the shape read as (B, C, W, H))
# %% patchify
def patchify(images, patch_size):
    B, C = images.shape[:2]
    width, height = images.shape[-2:]
    P = patch_size
    if height % P or width % P:
        raise ValueError("image size must be divisible by the patch size")
    x = images.reshape(B, C, height // P, P, width // P, P).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, -1, C * P * P)
