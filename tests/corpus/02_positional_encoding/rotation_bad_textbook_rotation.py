"""The textbook rotation matrix [[cos, -sin], [sin, cos]] in every block."""
# verdict: test_rotation: fail: rotates the wrong way
# %% rotation
def rotation_for_offset(offset, dim):
    theta = offset / 10000 ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    R = torch.zeros(dim, dim)
    idx = torch.arange(0, dim, 2)
    R[idx, idx] = torch.cos(theta).float()
    R[idx, idx + 1] = -torch.sin(theta).float()
    R[idx + 1, idx] = torch.sin(theta).float()
    R[idx + 1, idx + 1] = torch.cos(theta).float()
    return R
