"""Attention counted as its q, k and v maps only: the output projection is forgotten."""
# expect: test_parameter_count: the attention's output projection is not counted
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    N = (image_size // patch_size) ** 2
    M = int(dim * mlp_ratio)
    embedding = (in_channels * patch_size**2 + 1) * dim + dim + (N + 1) * dim
    block = 4 * dim + 3 * dim * dim + 3 * dim + 2 * dim * M + M + dim
    return embedding + depth * block + 2 * dim + (dim + 1) * num_classes
