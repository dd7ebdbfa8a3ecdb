"""Row and column offsets by broadcasting, the distance as the square root of the summed squares."""
# verdict: test_mean_attention_distance: pass
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    a = maps[:, :, :, 1:, 1:]
    a = a / a.sum(-1, keepdim=True)
    idx = torch.arange(h * w, device=maps.device)
    r, c = (idx // w).to(maps.dtype), (idx % w).to(maps.dtype)
    dist = patch_size * ((r[:, None] - r[None, :]) ** 2 + (c[:, None] - c[None, :]) ** 2).sqrt()  # (N, N)
    return (a * dist).sum(-1).mean(-1).mean(1)
