"""Red team: F.unfold looked up in torch.nn.functional.__dict__ by a string key."""
# verdict: test_patchify: fail: __dict__
# %% patchify
def patchify(images, patch_size):
    _, _, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("H and W must be divisible by the patch size")
    cut = torch.nn.functional.__dict__["unfold"]
    return cut(images, kernel_size=patch_size, stride=patch_size).transpose(1, 2)
