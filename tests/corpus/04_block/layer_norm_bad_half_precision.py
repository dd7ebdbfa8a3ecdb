"""A layer_norm that computes in float16 to save memory and casts back."""
# verdict: test_layer_norm: fail: loses precision
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    h = x.half()
    mean = h.mean(-1, keepdim=True)
    var = ((h - mean) ** 2).mean(-1, keepdim=True)
    return (((h - mean) / torch.sqrt(var + eps)).to(x.dtype)) * weight + bias
