"""The head-averaged maps multiplied as they are, without the residual's identity."""
# expect: test_attention_rollout: the identity (the residual connection) was not added
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    averaged = maps.mean(dim=2)
    result = torch.eye(T, dtype=maps.dtype, device=maps.device).expand(B, T, T)
    for a in averaged:
        result = a @ result
    return result
