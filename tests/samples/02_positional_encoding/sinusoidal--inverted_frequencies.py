"""sinusoidal_encoding multiplying the positions by 10000^(2i/D) instead of dividing: the last pair turns fastest."""
# expect: test_sinusoidal: inverted frequencies: 10000^(2i/D) instead of 1 / 10000^(2i/D)
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    div_term = 10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = position * div_term
    return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(num_positions, dim).float()
