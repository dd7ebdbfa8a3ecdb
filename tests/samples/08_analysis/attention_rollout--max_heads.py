"""The heads fused by their maximum, as a popular rollout script's head_fusion="max" does."""
# expect: test_attention_rollout: the heads were fused with max instead of the mean
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    a = maps.max(dim=2).values + eye
    a = a / a.sum(dim=-1, keepdim=True)
    result = eye.expand(B, T, T)
    for layer in a:
        result = layer @ result
    return result
