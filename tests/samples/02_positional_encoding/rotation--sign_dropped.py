"""abs(offset): R(-k) turns forward like R(k)."""
# expect: test_rotation: the offset's sign dropped (abs(offset)): a negative offset turns forward
# %% rotation
def rotation_for_offset(offset, dim):
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = abs(offset) * frequency
    c, s = angle.cos(), angle.sin()
    blocks = torch.stack([torch.stack([c, s], dim=-1), torch.stack([-s, c], dim=-1)], dim=-2)
    return torch.block_diag(*blocks).float()
