"""A LayerNorm with the textbook variance mean(x²) - mean(x)², right on paper, lost in float32 far from zero."""
# expect: test_layer_norm: the variance is computed as mean(x²) - mean(x)², which cancels out in float32 when the features sit far from zero
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = (x * x).mean(dim=-1, keepdim=True) - mean ** 2
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
