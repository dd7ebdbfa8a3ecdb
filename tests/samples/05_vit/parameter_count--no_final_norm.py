"""The blocks' LayerNorms counted, the final one after the last block forgotten."""
# expect: test_parameter_count: the final LayerNorm is not counted
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    N = (image_size // patch_size) ** 2
    M = int(dim * mlp_ratio)
    embedding = (in_channels * patch_size**2 + 1) * dim + dim + (N + 1) * dim
    block = 4 * dim + 4 * dim * dim + 4 * dim + 2 * dim * M + M + dim
    return embedding + depth * block + (dim + 1) * num_classes
