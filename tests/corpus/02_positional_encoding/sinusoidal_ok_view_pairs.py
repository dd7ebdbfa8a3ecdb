"""An empty (N, D/2, 2) tensor filled with sin and cos, then viewed as (N, D); exponents via exp and log."""
# verdict: test_sinusoidal: pass
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if dim % 2 or dim <= 0 or num_positions <= 0:
        raise ValueError("dim must be even and positive, num_positions positive")
    i = torch.arange(dim // 2, dtype=torch.float64)
    w = torch.exp(-2 * i / dim * torch.log(torch.tensor(10000.0, dtype=torch.float64)))
    angle = torch.arange(num_positions, dtype=torch.float64).view(-1, 1) * w.view(1, -1)
    pe = torch.empty(num_positions, dim // 2, 2, dtype=torch.float64)
    pe[..., 0] = angle.sin()
    pe[..., 1] = angle.cos()
    return pe.view(num_positions, dim).float()
