"""Red team: Tensor.unfold by operator.methodcaller in a worker thread (hooks are per thread)."""
# verdict: test_patchify: fail: ThreadPoolExecutor
# %% patchify
import operator
from concurrent.futures import ThreadPoolExecutor


def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("H and W must be divisible by the patch size")

    def work():
        x = operator.methodcaller("unfold", 2, P, P)(images)
        x = operator.methodcaller("unfold", 3, P, P)(x)  # (B, C, h, w, P, P)
        return x.permute(0, 2, 3, 1, 4, 5).reshape(B, -1, C * P * P)

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()
