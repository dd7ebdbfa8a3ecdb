"""torch.outer for the angle table, then stack and flatten(1) to interleave."""
# verdict: test_sinusoidal: pass
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if not (num_positions > 0 and dim > 0 and dim % 2 == 0):
        raise ValueError("bad arguments")
    freqs = 1.0 / (10000 ** (torch.arange(dim // 2, dtype=torch.float64) / (dim / 2)))
    angles = torch.outer(torch.arange(num_positions, dtype=torch.float64), freqs)
    return torch.stack((torch.sin(angles), torch.cos(angles)), dim=2).flatten(1).to(torch.float32)
