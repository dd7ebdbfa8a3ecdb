"""A correct 2-D encoding assembled token by token in two Python loops over the grid."""
# expect: test_encoding_2d: python loop
# %% encoding_2d
def sinusoidal_encoding_2d(height, width, dim):
    if dim % 4:
        raise ValueError("dim must be a multiple of 4")
    rows = sinusoidal_encoding(height, dim // 2)
    cols = sinusoidal_encoding(width, dim // 2)
    tokens = []
    for r in range(height):
        for c in range(width):
            tokens.append(torch.cat([rows[r], cols[c]]))
    return torch.stack(tokens)
