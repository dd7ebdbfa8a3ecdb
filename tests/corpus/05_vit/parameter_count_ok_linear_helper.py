"""Correct: a helper for the parameters of one Linear layer, and the model read part by part."""
# verdict: test_parameter_count: pass
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    def linear(n_in, n_out):
        return n_in * n_out + n_out

    tokens = (image_size // patch_size) ** 2 + 1
    layer_norm = 2 * dim
    patch_embedding = linear(in_channels * patch_size * patch_size, dim)
    attention = linear(dim, 3 * dim) + linear(dim, dim)
    mlp = linear(dim, int(mlp_ratio * dim)) + linear(int(mlp_ratio * dim), dim)
    block = layer_norm + attention + layer_norm + mlp
    return patch_embedding + dim + tokens * dim + depth * block + layer_norm + linear(dim, num_classes)
