"""The running product initialised with zeros_like of the first layer."""
# expect: test_attention_rollout: the running product started from zeros instead of the identity
# %% rollout
def attention_rollout(maps):
    T = maps.shape[-1]
    flows = maps.mean(dim=2) + torch.eye(T, dtype=maps.dtype, device=maps.device)
    flows = flows / flows.sum(dim=-1, keepdim=True)
    result = torch.zeros_like(flows[0])
    for flow in flows:
        result = torch.bmm(flow, result)
    return result
