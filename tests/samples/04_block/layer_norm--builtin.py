"""A LayerNorm that hands the work to F.layer_norm."""
# expect: test_layer_norm: built-in used
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    return F.layer_norm(x, (x.shape[-1],), weight, bias, eps)
