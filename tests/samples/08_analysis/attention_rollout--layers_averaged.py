"""The renormalised layers averaged, as if each were an alternative route, instead of multiplied."""
# expect: test_attention_rollout: the layers' matrices averaged instead of multiplied
# %% rollout
def attention_rollout(maps):
    T = maps.shape[-1]
    flows = maps.mean(dim=2) + torch.eye(T, dtype=maps.dtype, device=maps.device)
    flows = flows / flows.sum(dim=-1, keepdim=True)
    return flows.sum(dim=0) / maps.shape[0]
