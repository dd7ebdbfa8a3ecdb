"""A LayerNorm that centres x in place."""
# expect: test_layer_norm: x is changed in place (x -= mean or x.sub_(...))
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    x -= x.mean(dim=-1, keepdim=True)
    var = (x * x).mean(dim=-1, keepdim=True)
    return x / torch.sqrt(var + eps) * weight + bias
