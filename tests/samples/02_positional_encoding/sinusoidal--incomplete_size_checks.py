"""Right values, but only rejects odd dims and zero positions (the visible cases): dim=0 or negative sizes slip through to the hidden tests."""
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if dim % 2 or num_positions == 0:
        raise ValueError("dim must be even and there must be positions")
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angle = position * frequency
    return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(num_positions, dim).float()
