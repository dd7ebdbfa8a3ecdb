"""Weights only: every Linear and the patch embedding counted without its bias."""
# expect: test_parameter_count: the biases are not counted
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    N = (image_size // patch_size) ** 2
    M = int(dim * mlp_ratio)
    embedding = in_channels * patch_size * patch_size * dim + dim + (N + 1) * dim
    block = 4 * dim + 3 * dim * dim + dim * dim + 2 * dim * M
    return embedding + depth * block + 2 * dim + dim * num_classes
