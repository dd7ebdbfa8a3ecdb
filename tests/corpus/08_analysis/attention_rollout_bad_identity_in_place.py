"""The identity added to every head's map in place, on the maps it was given."""
# verdict: test_attention_rollout: fail: in-place
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    idx = torch.arange(T, device=maps.device)
    maps[..., idx, idx] += 1  # each head plus the identity
    a = maps.mean(dim=2)
    a = a / a.sum(dim=-1, keepdim=True)
    r = torch.eye(T, dtype=maps.dtype, device=maps.device).expand(B, T, T)
    for layer in a:
        r = layer @ r
    return r
