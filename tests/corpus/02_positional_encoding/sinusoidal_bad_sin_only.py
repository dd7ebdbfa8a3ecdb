"""One frequency per column and sin everywhere: the cosines are forgotten."""
# verdict: test_sinusoidal: fail: row 0 (position 0) should be 0, 1, 0, 1
# %% sinusoidal
def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    pos = torch.arange(num_positions).unsqueeze(1)
    j = torch.arange(dim).unsqueeze(0)
    return torch.sin(pos / 10000 ** (2 * (j // 2) / dim)).float()
