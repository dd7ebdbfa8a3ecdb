"""The seed exercise's version: two nested Python loops with math.sin and math.cos (right values)."""
# expect: test_sinusoidal: python loop
# %% sinusoidal
import math

def sinusoidal_encoding(num_positions, dim):
    if num_positions < 1 or dim < 1 or dim % 2:
        raise ValueError("bad sizes")
    rows = []
    for p in range(num_positions):
        row = []
        for j in range(dim):
            angle = p / 10000 ** (2 * (j // 2) / dim)
            row.append(math.sin(angle) if j % 2 == 0 else math.cos(angle))
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float32)
