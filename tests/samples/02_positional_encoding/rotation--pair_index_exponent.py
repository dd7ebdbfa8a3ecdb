"""Block i turns by k / 10000^(i/D): the pair index where 2i belongs."""
# expect: test_rotation: the exponent uses the pair index i instead of 2i
# %% rotation
def rotation_for_offset(offset, dim):
    i = torch.arange(dim // 2, dtype=torch.float64)
    angle = offset / 10000.0 ** (i / dim)
    c, s = angle.cos(), angle.sin()
    blocks = torch.stack([torch.stack([c, s], dim=-1), torch.stack([-s, c], dim=-1)], dim=-2)
    return torch.block_diag(*blocks).float()
