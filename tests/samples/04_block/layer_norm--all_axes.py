"""A LayerNorm with one mean and one variance for the whole tensor."""
# expect: test_layer_norm: one mean and one variance for the whole tensor instead of one per token
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean()
    var = ((x - mean) ** 2).mean()
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
