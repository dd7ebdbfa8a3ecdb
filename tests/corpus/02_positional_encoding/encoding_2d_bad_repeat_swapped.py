"""repeat and repeat_interleave the wrong way round: rows repeat, columns are interleaved."""
# verdict: test_encoding_2d: fail: column-major
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be divisible by 4")
    rows = sinusoidal_encoding(height, dim // 2).repeat(width, 1)
    cols = sinusoidal_encoding(width, dim // 2).repeat_interleave(height, dim=0)
    return torch.cat([rows, cols], dim=1)
