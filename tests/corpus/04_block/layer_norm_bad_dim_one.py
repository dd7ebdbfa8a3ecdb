"""A layer_norm written for (B, N, D) with dim=1 hard-coded: the tokens' axis, not the features'."""
# verdict: test_layer_norm: fail: batchnorm
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=1, keepdim=True)
    var = x.var(dim=1, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
