"""Patch rows and columns computed with the grid's height: n // h and n % h."""
# verdict: test_mean_attention_distance: fail: hand-built maps
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    a = maps[..., 1:, 1:]
    a = a / a.sum(-1, keepdim=True)
    n = torch.arange(h * w, device=maps.device)
    centres = torch.stack([n // h, n % h], -1).to(maps.dtype) * patch_size
    return (a * torch.cdist(centres, centres)).sum(-1).mean(dim=(1, 3))
