"""The 2x2 blocks built one by one in a list comprehension over the pairs, then block_diag."""
# verdict: test_rotation: fail: loops in python over the (sin, cos) pairs
# %% rotation
import math


def rotation_for_offset(offset, dim):
    blocks = [
        torch.tensor([[math.cos(offset / 10000 ** (2 * i / dim)), math.sin(offset / 10000 ** (2 * i / dim))],
                      [-math.sin(offset / 10000 ** (2 * i / dim)), math.cos(offset / 10000 ** (2 * i / dim))]])
        for i in range(dim // 2)
    ]
    return torch.block_diag(*blocks)
