"""Vectorised NumPy converted with torch.from_numpy but not to float32 (NumPy computes in float64)."""
# verdict: test_sinusoidal: fail: the result is float64, not float32
# %% sinusoidal
import numpy as np


def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    angle = np.arange(num_positions)[:, None] / 10000 ** (np.arange(0, dim, 2) / dim)
    pe = np.zeros((num_positions, dim))
    pe[:, ::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
    return torch.from_numpy(pe)
