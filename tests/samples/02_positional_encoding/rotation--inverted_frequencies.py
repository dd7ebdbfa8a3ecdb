"""rotation_for_offset turning pair i by k * 10000^(2i/D): the frequencies are inverted."""
# expect: test_rotation: inverted frequencies: 10000^(2i/D) instead of 1 / 10000^(2i/D)
# %% rotation
def rotation_for_offset(offset, dim):
    frequency = 10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = offset * frequency
    c, s = angle.cos(), angle.sin()
    blocks = torch.stack([torch.stack([c, s], dim=-1), torch.stack([-s, c], dim=-1)], dim=-2)
    return torch.block_diag(*blocks).float()
