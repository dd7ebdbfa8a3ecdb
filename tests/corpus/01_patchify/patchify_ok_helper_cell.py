"""patchify built on two helpers written in a cell the student added after the answer cell."""
# verdict: test_patchify: pass
# verdict: test_patch_embedding: pass
# %% patchify
def patchify(images, patch_size):
    check_divisible(images.shape[-2:], patch_size)
    grid = split_axes(images, patch_size)  # (B, h, w, C, P, P)
    return grid.flatten(start_dim=3).flatten(start_dim=1, end_dim=2)
# %% +patchify
def check_divisible(size, patch_size):
    H, W = size
    if H % patch_size or W % patch_size:
        raise ValueError(f"image size {H}x{W} is not a multiple of the patch size {patch_size}")


def split_axes(images, P):
    B, C, H, W = images.shape
    return images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
