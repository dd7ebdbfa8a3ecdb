"""A LayerNorm that divides by the variance itself."""
# expect: test_layer_norm: divided by the variance instead of the standard deviation (square root forgotten)
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / (var + eps) * weight + bias
