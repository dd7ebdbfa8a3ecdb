"""Reads sin(k w_i) and cos(k w_i) off the student's own encoding at position |k| (sin is odd for k < 0)."""
# verdict: test_rotation: pass
# %% rotation
def rotation_for_offset(offset, dim):
    row = sinusoidal_encoding(abs(offset) + 1, dim)[abs(offset)].double()  # (D,)
    s = row[0::2] * (1 if offset >= 0 else -1)
    c = row[1::2]
    blocks = torch.stack([torch.stack([c, s], -1), torch.stack([-s, c], -1)], -2)
    return torch.block_diag(*blocks).float()
