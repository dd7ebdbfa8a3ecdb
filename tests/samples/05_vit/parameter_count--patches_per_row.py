"""N read as the number of patches along one side: the positional embedding gets too few rows."""
# expect: test_parameter_count: N counted as the patches along one side, not (image_size / patch_size) squared
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    patches = image_size // patch_size
    hidden = int(mlp_ratio * dim)
    per_block = 2 * 2 * dim + (3 * dim * dim + 3 * dim) + (dim * dim + dim) + (dim * hidden + hidden) + (hidden * dim + dim)
    stem = in_channels * patch_size * patch_size * dim + dim + dim + (patches + 1) * dim
    return stem + depth * per_block + 2 * dim + dim * num_classes + num_classes
