"""Two parts forgotten at once: the final LayerNorm and the head."""
# expect: test_parameter_count: two parts of the model are not counted
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    tokens = (image_size // patch_size) ** 2 + 1
    hidden = int(mlp_ratio * dim)
    per_block = 4 * dim + 4 * (dim * dim + dim) + 2 * dim * hidden + hidden + dim
    return in_channels * patch_size**2 * dim + dim + dim + tokens * dim + depth * per_block
