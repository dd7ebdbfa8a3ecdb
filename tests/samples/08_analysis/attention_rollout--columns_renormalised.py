"""The sums taken over dim=-2 (the columns) instead of dim=-1."""
# expect: test_attention_rollout: the columns were renormalised instead of the rows
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    a = maps.mean(dim=2) + eye
    a = a / a.sum(dim=-2, keepdim=True)
    result = eye.expand(B, T, T)
    for layer in a:
        result = layer @ result
    return result
