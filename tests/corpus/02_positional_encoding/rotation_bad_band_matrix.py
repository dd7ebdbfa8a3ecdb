"""Sines put on the whole first off-diagonals with torch.diag(..., 1): entries land between the blocks too."""
# verdict: test_rotation: fail: should be block-diagonal
# %% rotation
def rotation_for_offset(offset, dim):
    angle = offset * 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    c = angle.cos().repeat_interleave(2)
    s = angle.sin().repeat_interleave(2)
    R = torch.diag(c) + torch.diag(s[:-1], 1) - torch.diag(s[:-1], -1)
    return R.float()
