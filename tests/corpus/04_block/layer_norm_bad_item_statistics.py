"""A layer_norm that turns the statistics into Python numbers with .item(), as if there were one token."""
# verdict: test_layer_norm: fail: one mean
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean().item()
    std = (x.var(unbiased=False).item() + eps) ** 0.5
    return (x - mean) / std * weight + bias
