"""A LayerNorm whose statistics lose their last axis (no keepdim=True)."""
# expect: test_layer_norm: the mean or the variance lost its last axis (keepdim=True forgotten)
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1)
    var = x.var(dim=-1, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
