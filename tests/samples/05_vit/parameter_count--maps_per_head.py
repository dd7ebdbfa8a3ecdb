"""Each head given its own full D x D query, key and value projections."""
# expect: test_parameter_count: each head counted with its own D x D query, key and value maps
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    tokens = (image_size // patch_size) ** 2 + 1
    hidden = int(mlp_ratio * dim)
    heads = num_heads * 3 * (dim * dim + dim)
    per_block = 4 * dim + heads + dim * dim + dim + 2 * dim * hidden + hidden + dim
    return in_channels * patch_size**2 * dim + dim + dim + tokens * dim + depth * per_block + 2 * dim + (dim + 1) * num_classes
