"""torch.stack(..., dim=-1) of the row and column parts: their values alternate instead of filling two halves."""
# expect: test_encoding_2d: row and column values interleaved feature by feature instead of the two halves
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be a multiple of 4")
    half = dim // 2
    rows = sinusoidal_encoding(height, half)[:, None, :].expand(height, width, half)
    cols = sinusoidal_encoding(width, half)[None, :, :].expand(height, width, half)
    return torch.stack([rows, cols], dim=-1).reshape(height * width, dim)
