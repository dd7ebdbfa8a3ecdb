"""sinusoidal_encoding with the exponent i/d (pair index) instead of 2i/d."""
# expect: test_sinusoidal: the exponent uses the pair index i instead of 2i
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    i = torch.arange(dim // 2, dtype=torch.float64)
    angle = position / 10000.0 ** (i / dim)
    return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(num_positions, dim).float()
