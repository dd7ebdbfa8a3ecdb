"""Right blocks placed with index tensors into a float64 zero matrix, returned as float64."""
# verdict: test_rotation: fail: float64, not float32
# %% rotation
def rotation_for_offset(offset, dim):
    even = torch.arange(0, dim, 2)
    theta = offset * 10000.0 ** (-even.double() / dim)
    R = torch.zeros(dim, dim, dtype=torch.float64)
    R[even, even] = R[even + 1, even + 1] = theta.cos()
    R[even, even + 1] = theta.sin()
    R[even + 1, even] = -theta.sin()
    return R
