"""Only the cosines, on the diagonal: the sines are forgotten."""
# expect: test_rotation: the sines are missing: only cosines on the diagonal
# %% rotation
def rotation_for_offset(offset, dim):
    frequency = 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    return torch.diag((offset * frequency).cos().repeat_interleave(2)).float()
