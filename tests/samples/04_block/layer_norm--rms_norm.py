"""A LayerNorm that never subtracts the mean (RMSNorm)."""
# expect: test_layer_norm: the mean is never subtracted (that is RMSNorm, not LayerNorm)
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    rms = torch.sqrt((x ** 2).mean(dim=-1, keepdim=True) + eps)
    return x / rms * weight + bias
