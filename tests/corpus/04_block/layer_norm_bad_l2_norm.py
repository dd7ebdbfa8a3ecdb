"""A layer_norm that divides the centred token by its length (L2 norm) instead of its standard deviation."""
# verdict: test_layer_norm: fail: variance
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    c = x - x.mean(dim=-1, keepdim=True)
    return c / (c.norm(dim=-1, keepdim=True) + eps) * weight + bias
