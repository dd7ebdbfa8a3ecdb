"""Only the cosines on the diagonal: the sines are forgotten."""
# verdict: test_rotation: fail: should be a rotation [[cos t, sin t], [-sin t, cos t]]
# %% rotation
def rotation_for_offset(offset, dim):
    angle = offset * 10000.0 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    return torch.diag(angle.cos().repeat_interleave(2)).float()
