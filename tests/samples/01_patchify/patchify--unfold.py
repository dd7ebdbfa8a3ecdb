"""patchify through F.unfold, which the exercise forbids."""
# expect: test_patchify: built-in used
# %% patchify
def patchify(images, patch_size):
    import torch.nn.functional as F
    _, _, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("image size must be divisible by the patch size")
    return F.unfold(images, kernel_size=patch_size, stride=patch_size).transpose(1, 2)
