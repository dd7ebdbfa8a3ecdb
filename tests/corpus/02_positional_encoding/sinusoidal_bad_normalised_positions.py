"""Positions scaled into [0, 1] with linspace before taking the angles."""
# verdict: test_sinusoidal: fail: pair 0 (columns 0 and 1) should turn by w_0
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.linspace(0, 1, num_positions, dtype=torch.float64)[:, None]
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = position * frequency
    return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(num_positions, dim).float()
