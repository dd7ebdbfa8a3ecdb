"""Positions divided by the number of positions (p / N) before taking the angles."""
# expect: test_sinusoidal: positions scaled (e.g. linspace(0, 1, N) or p / N) instead of 0, 1, 2, ...
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None] / num_positions
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = position * frequency
    return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(num_positions, dim).float()
