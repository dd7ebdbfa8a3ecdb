"""Token rows and columns from a helper in an added cell (n // w, n % w)."""
# verdict: test_encoding_2d: pass
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4 != 0:
        raise ValueError("dim has to be a multiple of 4")
    rows, cols = grid_coordinates(height, width)
    pe_rows = sinusoidal_encoding(height, dim // 2)
    pe_cols = sinusoidal_encoding(width, dim // 2)
    return torch.cat((pe_rows[rows], pe_cols[cols]), dim=1)
# %% +encoding_2d
def grid_coordinates(height, width):
    n = torch.arange(height * width)
    return n // width, n % width
