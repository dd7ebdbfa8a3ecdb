"""A correct layer_norm from sums divided by D, with the centring in a helper of a cell the student
added, and the power -1/2 instead of a square root."""
# verdict: test_layer_norm: pass
# %% +setup
def centre(x: torch.Tensor) -> torch.Tensor:
    """Each token minus its own mean over the last axis."""
    D = x.shape[-1]
    return x - x.sum(dim=-1, keepdim=True) / D
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    c = centre(x)  # (..., D)
    var = (c ** 2).sum(dim=-1, keepdim=True) / x.shape[-1]  # (..., 1)
    return weight * c * (var + eps) ** -0.5 + bias
