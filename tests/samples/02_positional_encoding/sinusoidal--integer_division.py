"""sinusoidal_encoding computing the exponent with // on integer tensors: every exponent is 0."""
# expect: test_sinusoidal: integer division: the exponent 2i/d became 0, so every frequency is 1
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    position = torch.arange(num_positions)[:, None]
    exponent = torch.arange(0, dim, 2) // dim  # integer division: all zeros
    angle = position / 10000.0 ** exponent
    return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(num_positions, dim).float()
