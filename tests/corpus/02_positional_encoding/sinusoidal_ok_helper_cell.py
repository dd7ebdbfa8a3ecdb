"""The frequencies in a helper written in an added cell; torch.where picks sin or cos by column parity."""
# verdict: test_sinusoidal: pass
# verdict: test_encoding_2d: pass
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    check_sizes(num_positions, dim)
    cols = torch.arange(dim)
    angle = torch.arange(num_positions, dtype=torch.float64)[:, None] * pair_frequencies(dim)[cols // 2]
    return torch.where(cols % 2 == 0, torch.sin(angle), torch.cos(angle)).float()
# %% +sinusoidal
def check_sizes(num_positions, dim):
    if num_positions < 1 or dim < 2 or dim % 2:
        raise ValueError(f"need num_positions >= 1 and an even dim >= 2, got {num_positions}, {dim}")


def pair_frequencies(dim):
    return torch.pow(10000.0, -torch.arange(0, dim, 2, dtype=torch.float64) / dim)
