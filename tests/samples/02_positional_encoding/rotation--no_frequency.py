"""rotation_for_offset turning every block by k radians, forgetting the pair's frequency."""
# expect: test_rotation: every block turns by the offset k itself, not by k times its pair's frequency
# %% rotation
def rotation_for_offset(offset, dim):
    angle = torch.full((dim // 2,), float(offset), dtype=torch.float64)
    c, s = angle.cos(), angle.sin()
    blocks = torch.stack([torch.stack([c, s], dim=-1), torch.stack([-s, c], dim=-1)], dim=-2)
    return torch.block_diag(*blocks).float()
