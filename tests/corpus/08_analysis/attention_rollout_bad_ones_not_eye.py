"""torch.ones where the identity belongs: every token gets the same extra weight."""
# verdict: test_attention_rollout: fail: values differ
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    a = maps.mean(dim=2) + torch.ones(T, T, dtype=maps.dtype, device=maps.device)
    a = a / a.sum(dim=-1, keepdim=True)
    r = torch.eye(T, dtype=maps.dtype, device=maps.device).expand(B, T, T)
    for layer in a:
        r = layer @ r
    return r
