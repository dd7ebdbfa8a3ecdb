"""The heads summed instead of averaged before the identity is added."""
# expect: test_attention_rollout: the heads were summed instead of averaged
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    a = maps.sum(dim=2) + eye
    a = a / a.sum(dim=-1, keepdim=True)
    result = eye.expand(B, T, T)
    for layer in a:
        result = layer @ result
    return result
