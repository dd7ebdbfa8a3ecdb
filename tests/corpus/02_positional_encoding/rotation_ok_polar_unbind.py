"""Complex numbers e^{i k w} for the blocks, and torch.block_diag over blocks.unbind(0)."""
# verdict: test_rotation: pass
# %% rotation
def rotation_for_offset(offset: int, dim: int) -> torch.Tensor:
    freq = 1 / 10000 ** (torch.arange(dim // 2, dtype=torch.float64) * 2 / dim)
    z = torch.polar(torch.ones_like(freq), offset * freq)  # cos + i sin
    c, s = z.real, z.imag
    top = torch.stack([c, s], -1)
    bottom = torch.stack([-s, c], -1)
    blocks = torch.stack([top, bottom], 1)  # (D/2, 2, 2)
    return torch.block_diag(*blocks.unbind(0)).to(torch.float32)
