"""sinusoidal_encoding putting all sines in the first half and all cosines in the second."""
# expect: test_sinusoidal: sin and cos halves concatenated instead of interleaved
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = position * frequency
    return torch.cat([angle.sin(), angle.cos()], dim=1).float()
