"""Wrong: N taken as the patches per row, image_size // patch_size, not h * w."""
# verdict: test_parameter_count: fail: your formula gives
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    N = image_size // patch_size
    hidden = int(dim * mlp_ratio)
    block = 4 * dim + 4 * dim * dim + 4 * dim + 2 * dim * hidden + hidden + dim
    return (in_channels * patch_size**2 + 1) * dim + (N + 2) * dim + depth * block + 2 * dim + (dim + 1) * num_classes
