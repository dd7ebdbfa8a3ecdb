"""The weighted distances averaged over the keys instead of summed."""
# expect: test_mean_attention_distance: the mean over the keys instead of the attention-weighted sum
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    a = maps[..., 1:, 1:]
    a = a / a.sum(dim=-1, keepdim=True)
    n = torch.arange(h * w, device=maps.device)
    centres = torch.stack([n // w, n % w], dim=-1).to(maps.dtype) * patch_size
    d = torch.cdist(centres, centres)
    return (a * d).mean(dim=-1).mean(dim=(1, 3))
