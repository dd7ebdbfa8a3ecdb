"""The result converted with .float() at the end: float64 maps lose their dtype."""
# verdict: test_attention_rollout: fail: dtype
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    a = maps.mean(dim=2) + eye
    a = a / a.sum(dim=-1, keepdim=True)
    r = eye.expand(B, T, T)
    for layer in a:
        r = layer @ r
    return r.float()
