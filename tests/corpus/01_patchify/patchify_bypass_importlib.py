"""Red team: the functional module imported by importlib under a string name, then unfold by name."""
# verdict: test_patchify: fail: importlib
# %% patchify
import importlib

functional = importlib.import_module("torch.nn." + "functional")


def patchify(images, patch_size):
    _, _, H, W = images.shape
    if H % patch_size or W % patch_size:
        raise ValueError("H and W must be divisible by the patch size")
    return functional.unfold(images, kernel_size=patch_size, stride=patch_size).transpose(1, 2)
