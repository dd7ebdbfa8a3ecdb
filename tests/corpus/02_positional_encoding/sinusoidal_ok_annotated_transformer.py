"""The Annotated Transformer's version: a zero table filled by slices, div_term through exp(-log), all float32."""
# verdict: test_sinusoidal: pass
# %% sinusoidal
import math


def sinusoidal_encoding(num_positions: int, dim: int) -> torch.Tensor:
    if num_positions <= 0 or dim <= 0 or dim % 2 != 0:
        raise ValueError("num_positions must be positive and dim a positive even number")
    pe = torch.zeros(num_positions, dim)
    position = torch.arange(0, num_positions).unsqueeze(1).float()
    div_term = torch.exp(torch.arange(0, dim, 2).float() * -(math.log(10000.0) / dim))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
