"""Wrong: every head given its own D x D query, key and value maps (the heads split D; they do not multiply it)."""
# verdict: test_parameter_count: fail: your formula gives
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    N = (image_size // patch_size) ** 2
    hidden = int(dim * mlp_ratio)
    attention = num_heads * 3 * (dim * dim + dim) + dim * dim + dim
    block = 4 * dim + attention + 2 * dim * hidden + hidden + dim
    return (in_channels * patch_size**2 + 1) * dim + (N + 2) * dim + depth * block + 2 * dim + (dim + 1) * num_classes
