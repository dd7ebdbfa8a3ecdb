"""sinusoidal_encoding with cos on the even columns and sin on the odd ones."""
# expect: test_sinusoidal: sin and cos swapped (cos on the even indices, sin on the odd ones)
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = position * frequency
    return torch.stack([angle.cos(), angle.sin()], dim=-1).reshape(num_positions, dim).float()
