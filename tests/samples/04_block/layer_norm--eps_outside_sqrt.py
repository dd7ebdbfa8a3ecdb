"""A LayerNorm that adds eps to the standard deviation."""
# expect: test_layer_norm: eps added to the standard deviation instead of the variance (outside the square root)
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / (torch.sqrt(var) + eps) * weight + bias
