"""A LayerNorm that converts everything to float32 first."""
# expect: test_layer_norm: the output is float32 for float64 inputs
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    x, weight, bias = x.float(), weight.float(), bias.float()
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
