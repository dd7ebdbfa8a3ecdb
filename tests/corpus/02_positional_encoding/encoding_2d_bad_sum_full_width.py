"""Each axis gets a full-width encoding and the two are added (an additive 2-D encoding), not concatenated."""
# verdict: test_encoding_2d: fail: its first 8 values should be the encoding of its row
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be divisible by 4")
    rows = sinusoidal_encoding(height, dim)[:, None, :]
    cols = sinusoidal_encoding(width, dim)[None, :, :]
    return (rows + cols).reshape(height * width, dim)
