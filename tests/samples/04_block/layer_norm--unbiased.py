"""A LayerNorm with torch.var's default, the unbiased variance."""
# expect: test_layer_norm: unbiased variance (divided by D - 1 instead of D)
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = torch.var(x, dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
