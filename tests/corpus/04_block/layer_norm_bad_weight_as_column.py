"""A layer_norm that reshapes weight and bias to (1, 1, D), which adds axes to a 2-D x."""
# verdict: test_layer_norm: fail: axes were added
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight.view(1, 1, -1) + bias.view(1, 1, -1)
