"""sinusoidal_encoding writing the base as 10e4, which is 100000."""
# expect: test_sinusoidal: wrong base (it must be 10000)
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    frequency = 10e4 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = position * frequency
    return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(num_positions, dim).float()
