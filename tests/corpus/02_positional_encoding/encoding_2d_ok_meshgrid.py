"""meshgrid with indexing="ij" gives each token's row and column; index the 1-D encodings with them."""
# verdict: test_encoding_2d: pass
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be divisible by 4")
    r, c = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    half = dim // 2
    return torch.cat([sinusoidal_encoding(height, half)[r.flatten()],
                      sinusoidal_encoding(width, half)[c.flatten()]], dim=-1)
