"""A correct layer_norm that flattens the leading axes into one, works on (tokens, D), and restores the
shape; the standard deviation from x.std(unbiased=False)."""
# verdict: test_layer_norm: pass
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    shape = x.shape
    rows = x.reshape(-1, shape[-1])  # (tokens, D)
    mean = rows.mean(dim=1, keepdim=True)  # (tokens, 1)
    std = torch.sqrt(rows.std(dim=1, unbiased=False, keepdim=True) ** 2 + eps)
    out = (rows - mean) / std * weight + bias  # (tokens, D)
    return out.reshape(shape)
