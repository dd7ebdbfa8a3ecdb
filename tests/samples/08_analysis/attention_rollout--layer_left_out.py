"""The loop over the layers stops one early: range(L - 1)."""
# expect: test_attention_rollout: a layer is left out (the loop over the layers starts or stops one too early)
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    a = maps.mean(dim=2) + eye
    a = a / a.sum(dim=-1, keepdim=True)
    result = eye.expand(B, T, T)
    for l in range(L - 1):
        result = a[l] @ result
    return result
