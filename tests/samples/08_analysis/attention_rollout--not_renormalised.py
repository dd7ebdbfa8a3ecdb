"""The identity added, but the rows never divided by their sums."""
# expect: test_attention_rollout: the rows were not renormalised after adding the identity
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    a = maps.mean(dim=2) + eye
    result = eye.expand(B, T, T)
    for layer in a:
        result = layer @ result
    return result
