"""meshgrid with indexing="xy" (NumPy's default): the tokens come out column by column."""
# verdict: test_encoding_2d: fail: column-major
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be divisible by 4")
    c, r = torch.meshgrid(torch.arange(width), torch.arange(height), indexing="ij")
    half = dim // 2
    return torch.cat([sinusoidal_encoding(height, half)[r.flatten()],
                      sinusoidal_encoding(width, half)[c.flatten()]], dim=-1)
