"""Right values built with NumPy, returned as a NumPy array instead of a torch.Tensor."""
# expect: test_sinusoidal: the result is not a torch.Tensor
# %% sinusoidal
import numpy as np


def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    pos = np.arange(num_positions)[:, None]
    i = np.arange(dim // 2)[None, :]
    angle = pos / np.power(10000, 2 * i / dim)
    pe = np.zeros((num_positions, dim), dtype=np.float32)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe
