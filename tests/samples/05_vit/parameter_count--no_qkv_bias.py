"""The out-projection's bias counted, the fused q, k, v projection's bias forgotten."""
# expect: test_parameter_count: the attention's input projection has no bias in the count
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    tokens = (image_size // patch_size) ** 2 + 1
    hidden = int(mlp_ratio * dim)
    attention = 3 * dim * dim + (dim * dim + dim)
    per_block = 4 * dim + attention + 2 * dim * hidden + hidden + dim
    return in_channels * patch_size**2 * dim + dim + dim + tokens * dim + depth * per_block + 2 * dim + (dim + 1) * num_classes
