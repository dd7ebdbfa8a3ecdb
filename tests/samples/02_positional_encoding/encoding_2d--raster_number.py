"""Each patch encoded by its raster number n, the same D/2 values in both halves."""
# expect: test_encoding_2d: the 1-D encoding of the raster number n in both halves instead of its row's and column's
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be a multiple of 4")
    one_d = sinusoidal_encoding(height * width, dim // 2)
    return torch.cat([one_d, one_d], dim=1)
