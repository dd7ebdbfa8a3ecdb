"""The distance table in a helper cell; the rows renormalised with F.normalize(p=1)."""
# verdict: test_mean_attention_distance: pass
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    weights = F.normalize(maps[..., 1:, 1:], p=1, dim=-1)
    distance = patch_distances(grid, patch_size, maps)
    return (weights * distance).sum(-1).mean(dim=3).mean(dim=1)
# %% +distance
def patch_distances(grid, patch_size, like):
    h, w = grid
    n = torch.arange(h * w, device=like.device)
    dr = (n[:, None] // w - n[None] // w).to(like.dtype)
    dc = (n[:, None] % w - n[None] % w).to(like.dtype)
    return patch_size * torch.sqrt(dr * dr + dc * dc)
