"""The angle uses i / D with i = 0, 1, 2, ... (the pair index), not 2i / D."""
# verdict: test_rotation: fail: block 1 (columns 2, 3) should turn by
# %% rotation
def rotation_for_offset(offset, dim):
    i = torch.arange(dim // 2, dtype=torch.float64)
    angle = offset / 10000 ** (i / dim)
    c, s = angle.cos(), angle.sin()
    blocks = torch.stack([torch.stack([c, s], dim=-1), torch.stack([-s, c], dim=-1)], dim=-2)
    return torch.block_diag(*blocks).float()
