"""repeat_interleave for the rows, repeat for the columns, then cat along the features."""
# verdict: test_encoding_2d: pass
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4 != 0:
        raise ValueError(f"dim={dim} is not a multiple of 4")
    row_enc = sinusoidal_encoding(height, dim // 2).repeat_interleave(width, dim=0)  # (h*w, D/2)
    col_enc = sinusoidal_encoding(width, dim // 2).repeat(height, 1)  # (h*w, D/2)
    return torch.cat([row_enc, col_enc], dim=1)
