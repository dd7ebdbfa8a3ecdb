"""sinusoidal_encoding taking i from torch.arange(0, D, 2) (already 2i) and doubling it again in the exponent."""
# expect: test_sinusoidal: the exponent is 4i/D: torch.arange(0, D, 2) already counts 2i, and it was doubled again
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    pos = torch.arange(num_positions, dtype=torch.float64).unsqueeze(1)
    i = torch.arange(0, dim, 2, dtype=torch.float64)
    angle = pos / 10000 ** (2 * i / dim)
    pe = torch.zeros(num_positions, dim)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
