"""Uses the size of the offset only: negative offsets rotate forward too."""
# verdict: test_rotation: fail: sign dropped
# %% rotation
def rotation_for_offset(offset, dim):
    angle = abs(offset) * 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    c, s = angle.cos(), angle.sin()
    blocks = torch.stack([torch.stack([c, s], dim=-1), torch.stack([-s, c], dim=-1)], dim=-2)
    return torch.block_diag(*blocks).float()
