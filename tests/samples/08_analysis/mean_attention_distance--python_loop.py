"""A correct distance table built with two Python loops over the patches."""
# expect: test_mean_attention_distance: python loop
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    N = h * w
    a = maps[..., 1:, 1:]
    a = a / a.sum(dim=-1, keepdim=True)
    d = torch.zeros(N, N, dtype=maps.dtype, device=maps.device)
    for i in range(N):
        for j in range(N):
            d[i, j] = patch_size * math.sqrt((i // w - j // w) ** 2 + (i % w - j % w) ** 2)
    return (a * d).sum(dim=-1).mean(dim=(1, 3))
