"""Averaged over the queries only: one value per image, (L, B, nh)."""
# verdict: test_mean_attention_distance: fail: should be averaged away
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    a = maps[..., 1:, 1:]
    a = a / a.sum(-1, keepdim=True)
    n = torch.arange(h * w, device=maps.device)
    centres = torch.stack([n // w, n % w], -1).to(maps.dtype) * patch_size
    return (a * torch.cdist(centres, centres)).sum(-1).mean(dim=-1)
