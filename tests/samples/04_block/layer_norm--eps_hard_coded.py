"""A LayerNorm that always uses 1e-5, whatever eps it is given."""
# expect: test_layer_norm: the eps argument is ignored (1e-5 used whatever eps is passed)
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + 1e-5) * weight + bias
