"""Wrong twice: neither the final LayerNorm nor the class token counted; the check says which two parts add up to the gap."""
# verdict: test_parameter_count: fail: hold together
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    N = (image_size // patch_size) ** 2
    hidden = int(dim * mlp_ratio)
    block = 4 * dim + 4 * dim * dim + 4 * dim + 2 * dim * hidden + hidden + dim
    return (in_channels * patch_size**2 + 1) * dim + (N + 1) * dim + depth * block + (dim + 1) * num_classes
