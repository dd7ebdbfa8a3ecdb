"""The exponent divided by dim - 1, so that the last pair reaches 1 / 10000 exactly."""
# expect: test_sinusoidal: the exponent divides by D - 1 instead of D
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / (dim - 1))
    pe = torch.zeros(num_positions, dim)
    pe[:, 0::2] = torch.sin(position * frequency)
    pe[:, 1::2] = torch.cos(position * frequency)
    return pe
