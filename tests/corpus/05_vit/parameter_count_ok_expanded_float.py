"""Correct: the count expanded into a polynomial in D, with mlp_ratio left a float (a whole number all the same)."""
# verdict: test_parameter_count: pass
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    N = (image_size // patch_size) ** 2
    per_block = (4 + 2 * mlp_ratio) * dim**2 + (9 + mlp_ratio) * dim
    return depth * per_block + dim * (in_channels * patch_size**2 + N + 5 + num_classes) + num_classes
