"""A correct two-line layer_norm with torch.var(correction=0) and eps turned into a tensor of x's dtype."""
# verdict: test_layer_norm: pass
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    x_hat = (x - x.mean(-1, keepdim=True)) / torch.sqrt(torch.var(x, -1, correction=0, keepdim=True) + torch.tensor(eps, dtype=x.dtype))
    return x_hat * weight + bias
