"""sinusoidal_encoding_2d flattening the grid column by column."""
# expect: test_encoding_2d: patches numbered column-major (down the first column first)
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be a multiple of 4")
    half = dim // 2
    rows = sinusoidal_encoding(height, half)[:, None, :].expand(height, width, half)
    cols = sinusoidal_encoding(width, half)[None, :, :].expand(height, width, half)
    return torch.cat([rows, cols], dim=-1).transpose(0, 1).reshape(height * width, dim)
