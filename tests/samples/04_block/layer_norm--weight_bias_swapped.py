"""A LayerNorm that multiplies by the bias and adds the weight."""
# expect: test_layer_norm: weight and bias swapped
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * bias + weight
