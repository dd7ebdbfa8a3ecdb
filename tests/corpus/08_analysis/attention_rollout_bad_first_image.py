"""Written for one image: the batch axis is indexed away."""
# verdict: test_attention_rollout: fail: should have shape (B, T, T)
# %% rollout
def attention_rollout(maps):
    T = maps.shape[-1]
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    result = eye
    for layer in maps[:, 0]:
        a = layer.mean(dim=0) + eye
        result = (a / a.sum(dim=-1, keepdim=True)) @ result
    return result
