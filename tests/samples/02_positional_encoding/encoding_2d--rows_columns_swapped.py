"""sinusoidal_encoding_2d putting the column encoding in the first half."""
# expect: test_encoding_2d: rows and columns swapped (the column encoding fills the first half)
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be a multiple of 4")
    half = dim // 2
    rows = sinusoidal_encoding(height, half)[:, None, :].expand(height, width, half)
    cols = sinusoidal_encoding(width, half)[None, :, :].expand(height, width, half)
    return torch.cat([cols, rows], dim=-1).reshape(height * width, dim)
