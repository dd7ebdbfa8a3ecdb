"""Distances between patch indices on the grid, never multiplied by the patch side."""
# expect: test_mean_attention_distance: distances measured in patches, not in pixels
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    a = maps[..., 1:, 1:]
    a = a / a.sum(dim=-1, keepdim=True)
    n = torch.arange(h * w, device=maps.device)
    rc = torch.stack([n // w, n % w], dim=-1).to(maps.dtype)
    d = torch.cdist(rc, rc)
    return (a * d).sum(dim=-1).mean(dim=(1, 3))
