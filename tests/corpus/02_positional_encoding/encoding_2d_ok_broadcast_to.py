"""unsqueeze and broadcast_to into an (h, w, D) grid, flatten(0, 1)."""
# verdict: test_encoding_2d: pass
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be a multiple of 4")
    half = dim // 2
    grid = torch.cat([
        sinusoidal_encoding(height, half).unsqueeze(1).broadcast_to(height, width, half),
        sinusoidal_encoding(width, half).unsqueeze(0).broadcast_to(height, width, half),
    ], dim=2)
    return grid.flatten(0, 1)
