"""The running product started from zeros instead of the identity."""
# verdict: test_attention_rollout: fail: sums to one
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    a = maps.mean(dim=2) + eye
    a = a / a.sum(dim=-1, keepdim=True)
    r = torch.zeros(B, T, T, dtype=maps.dtype, device=maps.device)
    for layer in a:
        r = layer @ r
    return r
