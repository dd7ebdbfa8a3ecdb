"""The LayerNorm of many tutorials: the unbiased x.std() with eps added to it."""
# expect: test_layer_norm: unbiased standard deviation with eps outside the square root, (x - mean) / (x.std() + eps)
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    std = x.std(-1, keepdim=True)
    return weight * (x - mean) / (std + eps) + bias
