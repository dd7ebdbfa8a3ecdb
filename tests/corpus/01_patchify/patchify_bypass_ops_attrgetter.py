"""Red team: aten's im2col through operator.attrgetter("ops.aten.im2col")(torch)."""
# verdict: test_patchify: fail: im2col
# %% patchify
import operator


def patchify(images, patch_size):
    _, _, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("H and W must be divisible by the patch size")
    im2col = operator.attrgetter("ops.aten.im2col")(torch)
    return im2col(images, [P, P], [1, 1], [0, 0], [P, P]).transpose(1, 2)
