"""One token at a time in a list comprehension over the raster numbers."""
# verdict: test_encoding_2d: fail: loops in python over the rows, the columns or the tokens
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be divisible by 4")
    rows = sinusoidal_encoding(height, dim // 2)
    cols = sinusoidal_encoding(width, dim // 2)
    return torch.stack([torch.cat([rows[n // width], cols[n % width]]) for n in range(height * width)])
