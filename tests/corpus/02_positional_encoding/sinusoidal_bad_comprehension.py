"""The frequencies built with a list comprehension over the pairs (a Python loop in disguise)."""
# verdict: test_sinusoidal: fail: loops in python over positions or dimensions
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    freqs = torch.tensor([1 / 10000 ** (2 * i / dim) for i in range(dim // 2)], dtype=torch.float64)
    angle = torch.arange(num_positions, dtype=torch.float64)[:, None] * freqs
    return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(num_positions, dim).float()
