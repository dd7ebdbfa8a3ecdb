"""Built with NumPy's kron and returned as a NumPy array."""
# verdict: test_rotation: fail: not a torch.Tensor
# %% rotation
import numpy as np


def rotation_for_offset(offset, dim):
    theta = offset / 10000 ** (np.arange(0, dim, 2) / dim)
    return (np.kron(np.diag(np.cos(theta)), np.eye(2))
            + np.kron(np.diag(np.sin(theta)), np.array([[0.0, 1.0], [-1.0, 0.0]]))).astype(np.float32)
