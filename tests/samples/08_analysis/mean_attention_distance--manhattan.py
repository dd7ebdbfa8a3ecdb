"""|dr| + |dc| (torch.cdist with p=1) instead of the straight-line distance."""
# expect: test_mean_attention_distance: the Manhattan distance |dr| + |dc| instead of the straight-line distance
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    a = maps[..., 1:, 1:]
    a = a / a.sum(dim=-1, keepdim=True)
    n = torch.arange(h * w, device=maps.device)
    centres = torch.stack([n // w, n % w], dim=-1).to(maps.dtype) * patch_size
    d = torch.cdist(centres, centres, p=1)
    return (a * d).sum(dim=-1).mean(dim=(1, 3))
