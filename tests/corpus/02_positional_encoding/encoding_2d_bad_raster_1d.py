"""Falls back to the 1-D encoding of the raster number n, split in two halves of width D/2."""
# verdict: test_encoding_2d: fail: should be the encoding of its row
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be divisible by 4")
    half = sinusoidal_encoding(height * width, dim // 2)
    return torch.cat([half, half], dim=1)
