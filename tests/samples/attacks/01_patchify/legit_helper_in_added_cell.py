"""Legitimate: patchify calls a helper the student wrote in a cell of their own, above it."""
# %% +setup
def grid_axes(images, P):
    """(B, C, H, W) -> (B, h, w, C, P, P)"""
    B, C, H, W = images.shape
    return images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError(f"{H}x{W} images do not split into {patch_size}x{patch_size} patches")
    return grid_axes(images, patch_size).flatten(3).flatten(1, 2)
