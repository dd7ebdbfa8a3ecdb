"""Vectorised NumPy (no loops), converted to a float32 tensor at the end."""
# verdict: test_sinusoidal: pass
# %% sinusoidal
import numpy as np


def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1:
        raise ValueError(f"num_positions must be >= 1, got {num_positions}")
    if dim < 2 or dim % 2 == 1:
        raise ValueError(f"dim must be even and >= 2, got {dim}")
    p = np.arange(num_positions)[:, np.newaxis]
    i = np.arange(dim // 2)[np.newaxis, :]
    angles = p / np.power(10000.0, 2 * i / dim)
    out = np.empty((num_positions, dim))
    out[:, 0::2] = np.sin(angles)
    out[:, 1::2] = np.cos(angles)
    return torch.from_numpy(out).float()
