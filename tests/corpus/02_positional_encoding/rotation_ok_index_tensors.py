"""The four entries of every block written into a zero matrix with index tensors."""
# verdict: test_rotation: pass
# %% rotation
def rotation_for_offset(offset, dim):
    i = torch.arange(dim // 2)
    theta = offset * torch.pow(10000.0, -2 * i.double() / dim)
    R = torch.zeros(dim, dim, dtype=torch.float64)
    R[2 * i, 2 * i] = torch.cos(theta)
    R[2 * i, 2 * i + 1] = torch.sin(theta)
    R[2 * i + 1, 2 * i] = -torch.sin(theta)
    R[2 * i + 1, 2 * i + 1] = torch.cos(theta)
    return R.float()
