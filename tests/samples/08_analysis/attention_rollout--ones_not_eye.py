"""A matrix of ones added for the residual connection instead of the identity."""
# expect: test_attention_rollout: a matrix of ones added where the identity belongs (torch.ones instead of torch.eye)
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    flows = maps.mean(dim=2) + torch.ones(T, T, dtype=maps.dtype, device=maps.device)
    flows = flows / flows.sum(dim=-1, keepdim=True)
    result = torch.eye(T, dtype=maps.dtype, device=maps.device).expand(B, T, T)
    for flow in flows:
        result = flow @ result
    return result
