"""Right rotation computed in float64, returned without converting to float32."""
# expect: test_rotation: the result is float64, not float32
# %% rotation
def rotation_for_offset(offset, dim):
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = offset * frequency
    c, s = angle.cos(), angle.sin()
    blocks = torch.stack([torch.stack([c, s], dim=-1), torch.stack([-s, c], dim=-1)], dim=-2)
    return torch.block_diag(*blocks)
