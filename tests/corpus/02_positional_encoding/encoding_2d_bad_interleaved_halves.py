"""Row and column values interleaved feature by feature (stack on the last axis) instead of two halves."""
# verdict: test_encoding_2d: fail: token 0 (row 0, column 0 of the 4 x 20 grid)
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be divisible by 4")
    half = dim // 2
    rows = sinusoidal_encoding(height, half)[:, None, :].expand(height, width, half)
    cols = sinusoidal_encoding(width, half)[None, :, :].expand(height, width, half)
    return torch.stack([rows, cols], dim=-1).reshape(height * width, dim)
