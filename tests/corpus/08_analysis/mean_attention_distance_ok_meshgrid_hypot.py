"""Pixel centres from torch.meshgrid, distances with torch.hypot, the weighted sum with einsum."""
# verdict: test_mean_attention_distance: pass
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    rows, cols = torch.meshgrid(torch.arange(h, device=maps.device), torch.arange(w, device=maps.device),
                                indexing="ij")
    y = (rows.flatten() * patch_size + patch_size / 2).to(maps.dtype)  # centre of each patch, in pixels
    x = (cols.flatten() * patch_size + patch_size / 2).to(maps.dtype)
    dist = torch.hypot(y[:, None] - y[None], x[:, None] - x[None])
    weights = maps[..., 1:, 1:]
    weights = weights / weights.sum(dim=-1, keepdim=True)
    per_query = torch.einsum("lbhqk,qk->lbhq", weights, dist)
    return per_query.mean(dim=(1, 3))
