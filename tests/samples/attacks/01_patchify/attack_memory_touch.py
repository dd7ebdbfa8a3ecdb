"""The reference answers, then 6 GiB allocated and touched at the top of a cell: stopped by the memory limit."""
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    grid = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return grid.reshape(B, (H // P) * (W // P), C * P * P)


_hoard = bytearray(6 * 2**30)
for _i in range(0, len(_hoard), 4096):
    _hoard[_i] = 1
