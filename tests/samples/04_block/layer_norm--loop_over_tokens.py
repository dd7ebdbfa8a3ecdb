"""A LayerNorm that normalises one token at a time in a Python loop."""
# expect: test_layer_norm: python loop
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    rows = x.reshape(-1, x.shape[-1])
    out = []
    for row in rows:
        centred = row - row.mean()
        out.append(centred / torch.sqrt((centred ** 2).mean() + eps) * weight + bias)
    return torch.stack(out).reshape(x.shape)
