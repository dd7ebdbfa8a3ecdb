"""A layer_norm that keeps the variance away from zero with a clamp instead of adding eps."""
# verdict: test_layer_norm: fail: variance
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True).clamp(min=eps)
    return (x - mean) / var.sqrt() * weight + bias
