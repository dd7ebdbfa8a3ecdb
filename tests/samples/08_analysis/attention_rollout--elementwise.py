"""The layers combined with * instead of @."""
# expect: test_attention_rollout: the layers were combined element-wise (*) instead of by matrix products (@)
# %% rollout
def attention_rollout(maps):
    T = maps.shape[-1]
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    a = maps.mean(dim=2) + eye
    a = a / a.sum(dim=-1, keepdim=True)
    result = a[0]
    for layer in a[1:]:
        result = layer * result
    return result
