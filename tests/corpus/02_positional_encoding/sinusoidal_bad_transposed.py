"""One column per position: the table comes out (D, N)."""
# verdict: test_sinusoidal: fail: expected shape (20, 8), got (8, 20)
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    pos = torch.arange(num_positions, dtype=torch.float64)[None, :]
    freq = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)[:, None]
    ang = freq * pos  # (D/2, N)
    return torch.stack([ang.sin(), ang.cos()], dim=1).reshape(dim, num_positions).float()
