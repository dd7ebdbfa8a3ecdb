"""torch.diag(s, 1) and torch.diag(-s, -1): the sines fill the whole off-diagonals, between the blocks too."""
# expect: test_rotation: non-zero entries outside the 2x2 diagonal blocks
# %% rotation
def rotation_for_offset(offset, dim):
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = (offset * frequency).repeat_interleave(2)
    s = angle.sin()
    R = torch.diag(angle.cos()) + torch.diag(s[:-1], 1) - torch.diag(s[:-1], -1)
    return R.float()
