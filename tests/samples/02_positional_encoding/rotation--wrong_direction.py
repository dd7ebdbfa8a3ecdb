"""rotation_for_offset with the sin terms of each block on the wrong side: it moves p to p - k."""
# expect: test_rotation: the map rotates the wrong way (it takes position p to p - k)
# %% rotation
def rotation_for_offset(offset, dim):
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = offset * frequency
    c, s = angle.cos(), angle.sin()
    blocks = torch.stack([torch.stack([c, -s], dim=-1), torch.stack([s, c], dim=-1)], dim=-2)
    return torch.block_diag(*blocks).float()
