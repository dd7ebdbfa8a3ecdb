"""Leaves the grid as (h, w, D) instead of flattening the tokens."""
# verdict: test_encoding_2d: fail: expected shape (80, 16), got (4, 20, 16)
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be divisible by 4")
    half = dim // 2
    rows = sinusoidal_encoding(height, half)[:, None, :].expand(height, width, half)
    cols = sinusoidal_encoding(width, half)[None, :, :].expand(height, width, half)
    return torch.cat([rows, cols], dim=-1)
