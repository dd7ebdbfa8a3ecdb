"""The class token's row and column cut off, the remaining rows used as they are."""
# expect: test_mean_attention_distance: the class token's column was dropped without renormalising the rows
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    a = maps[..., 1:, 1:]
    n = torch.arange(h * w, device=maps.device)
    centres = torch.stack([n // w, n % w], dim=-1).to(maps.dtype) * patch_size
    d = torch.cdist(centres, centres)
    return (a * d).sum(dim=-1).mean(dim=(1, 3))
