"""div_term through exp(log(10000) * 2i / D) without the minus sign: positions are multiplied by growing numbers."""
# verdict: test_sinusoidal: fail: inverted frequencies
# %% sinusoidal
import math


def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    pe = torch.zeros(num_positions, dim)
    position = torch.arange(num_positions).float().unsqueeze(1)
    div_term = torch.exp(torch.arange(0, dim, 2).float() * (math.log(10000.0) / dim))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
