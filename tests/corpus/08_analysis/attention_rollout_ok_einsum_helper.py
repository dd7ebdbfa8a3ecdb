"""One block's flow in a helper cell; the product written with einsum."""
# verdict: test_attention_rollout: pass
# %% rollout
def attention_rollout(maps):
    flows = block_flows(maps)  # (L, B, T, T)
    out = flows[0]
    for a in flows[1:]:
        out = torch.einsum("bij,bjk->bik", a, out)
    return out
# %% +rollout
def block_flows(maps):
    T = maps.shape[-1]
    with_residual = maps.mean(dim=2) + torch.eye(T, dtype=maps.dtype, device=maps.device)
    return with_residual / with_residual.sum(dim=-1, keepdim=True)
