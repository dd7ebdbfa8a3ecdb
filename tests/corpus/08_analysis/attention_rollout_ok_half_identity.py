"""Abnar & Zuidema's 0.5 A + 0.5 I (no renormalisation needed), the product built with torch.bmm."""
# verdict: test_attention_rollout: pass
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    mixed = 0.5 * maps.mean(dim=2) + 0.5 * eye
    result = eye.repeat(B, 1, 1)
    for layer in range(L):
        result = torch.bmm(mixed[layer], result)
    return result
