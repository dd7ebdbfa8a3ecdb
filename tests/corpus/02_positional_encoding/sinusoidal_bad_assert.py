"""Size checks written as asserts: an AssertionError, not the ValueError the text asks for."""
# verdict: test_sinusoidal: fail: expected a ValueError, but your code raised AssertionError
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    assert dim % 2 == 0, "dim must be even"
    assert num_positions > 0, "need at least one position"
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = position * frequency
    return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(num_positions, dim).float()
