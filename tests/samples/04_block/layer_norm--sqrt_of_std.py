"""A LayerNorm that puts the standard deviation where the variance goes."""
# expect: test_layer_norm: the standard deviation used where the variance goes, torch.sqrt(std + eps)
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    std = x.std(dim=-1, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(std + eps) * weight + bias
