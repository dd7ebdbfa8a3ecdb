"""A correct layer_norm with torch.var_mean (correction=0), rsqrt, and addcmul for the affine step."""
# verdict: test_layer_norm: pass
# %% layer_norm
def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    var, mean = torch.var_mean(x, dim=-1, correction=0, keepdim=True)  # (..., 1) each
    return torch.addcmul(bias, (x - mean) * torch.rsqrt(var + eps), weight)  # (..., D)
