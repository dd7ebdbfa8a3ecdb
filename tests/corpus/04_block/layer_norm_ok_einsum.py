"""A correct layer_norm with einsum: the mean as a product with a vector of 1/D, the variance as the
dot product of each centred token with itself."""
# verdict: test_layer_norm: pass
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    D = x.shape[-1]
    average = torch.full((D,), 1.0 / D, dtype=x.dtype, device=x.device)  # (D,)
    mean = torch.einsum("...d,d->...", x, average).unsqueeze(-1)  # (..., 1)
    c = x - mean
    var = torch.einsum("...d,...d->...", c, c).unsqueeze(-1) / D  # (..., 1)
    return c / torch.sqrt(var + eps) * weight + bias
