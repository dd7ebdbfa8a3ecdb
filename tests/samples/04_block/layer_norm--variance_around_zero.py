"""A LayerNorm that centres x but takes the variance of the uncentred features."""
# expect: test_layer_norm: the variance is taken around 0, mean(x²), instead of around the mean
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = (x ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
