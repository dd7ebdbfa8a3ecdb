"""The squared distance: the square root left out after summing the squares."""
# expect: test_mean_attention_distance: squared distances (the square root was left out)
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    a = maps[..., 1:, 1:]
    a = a / a.sum(dim=-1, keepdim=True)
    n = torch.arange(h * w, device=maps.device)
    r = (n // w).to(maps.dtype) * patch_size
    c = (n % w).to(maps.dtype) * patch_size
    d = (r[:, None] - r[None]) ** 2 + (c[:, None] - c[None]) ** 2
    return (a * d).sum(dim=-1).mean(dim=(1, 3))
