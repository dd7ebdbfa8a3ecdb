"""sin on every column, each pair's frequency shared: the cosines are left out."""
# expect: test_sinusoidal: sin on every column: the cosines (odd columns) are missing
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    exponent = 2 * (torch.arange(dim) // 2) / dim
    return torch.sin(position / 10000.0 ** exponent).float()
