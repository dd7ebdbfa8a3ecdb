"""No size check at all: dims of 2 mod 4 are rejected by the 1-D encoding (odd halves), but dim 9 crashes in reshape."""
# verdict: test_encoding_2d: fail: expected a ValueError, but your code raised RuntimeError
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    half = dim // 2
    rows = sinusoidal_encoding(height, half)[:, None, :].expand(height, width, half)
    cols = sinusoidal_encoding(width, half)[None, :, :].expand(height, width, half)
    return torch.cat([rows, cols], dim=-1).reshape(height * width, dim)
