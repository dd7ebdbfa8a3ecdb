"""A LayerNorm that averages over the first axis (the batch), as BatchNorm does."""
# expect: test_layer_norm: statistics over the batch or the tokens instead of each token's own features (BatchNorm's axes)
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=0, keepdim=True)
    var = x.var(dim=0, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
