"""LayerNorms left out: they normalise, so they were taken to have no parameters."""
# expect: test_parameter_count: the LayerNorms' parameters are not counted
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    N = (image_size // patch_size) ** 2
    M = int(dim * mlp_ratio)
    embedding = (in_channels * patch_size**2 + 1) * dim + dim + (N + 1) * dim
    block = 3 * dim * dim + 3 * dim + dim * dim + dim + dim * M + M + M * dim + dim
    return embedding + depth * block + dim * num_classes + num_classes
