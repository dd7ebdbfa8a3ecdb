"""The product built from the last layer down, multiplying on the right: A_L, A_L A_(L-1), ..."""
# verdict: test_attention_rollout: pass
# %% rollout
def attention_rollout(maps):
    *_, T = maps.shape
    identity = torch.eye(T, device=maps.device).to(maps.dtype)
    a = (maps.mean(2) + identity)
    a = a / a.sum(dim=-1, keepdim=True)
    rollout = None
    for layer in reversed(a):
        rollout = layer if rollout is None else rollout @ layer
    return rollout
