"""A correct rotation filled block by block in a Python loop over the pairs (the text forbids it)."""
# expect: test_rotation: python loop
# %% rotation
import math


def rotation_for_offset(offset, dim):
    R = torch.zeros(dim, dim)
    for i in range(dim // 2):
        theta = offset / 10000 ** (2 * i / dim)
        R[2 * i, 2 * i] = math.cos(theta)
        R[2 * i, 2 * i + 1] = math.sin(theta)
        R[2 * i + 1, 2 * i] = -math.sin(theta)
        R[2 * i + 1, 2 * i + 1] = math.cos(theta)
    return R
