"""Written like an nn.Module buffer: the encoding keeps a leading batch axis of 1, (1, N, D)."""
# verdict: test_sinusoidal: fail: expected shape (20, 8), got (1, 20, 8)
# %% sinusoidal
import math


def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    pe = torch.zeros(num_positions, dim)
    position = torch.arange(num_positions, dtype=torch.float).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, dim, 2).float() * (-math.log(10000.0) / dim))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe.unsqueeze(0)
