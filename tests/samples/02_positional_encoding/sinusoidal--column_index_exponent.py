"""sinusoidal_encoding computing one frequency per column: 10000^(c/d) for column c, so each cos is off."""
# expect: test_sinusoidal: the exponent uses the column index instead of 2*floor(i/2) (each cos gets the next frequency)
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    column = torch.arange(dim, dtype=torch.float64)
    angle = position / 10000.0 ** (column / dim)  # (N, D)
    pe = torch.where(torch.arange(dim) % 2 == 0, angle.sin(), angle.cos())
    return pe.float()
