"""The distance table built once in float32 with torch.cdist, then cast to the maps' dtype."""
# verdict: test_mean_attention_distance: pass
# %% distance
def mean_attention_distance(maps, grid, patch_size):
    h, w = grid
    coords = torch.stack(torch.meshgrid(torch.arange(h, device=maps.device), torch.arange(w, device=maps.device),
                                        indexing="ij"), dim=-1).reshape(-1, 2).float()
    table = (torch.cdist(coords, coords) * patch_size).to(maps.dtype)
    patches = maps[..., 1:, 1:]
    patches = patches / patches.sum(-1, keepdim=True)
    L, B, H, N, _ = patches.shape
    return (patches * table).sum(-1).permute(0, 2, 1, 3).reshape(L, H, B * N).mean(-1)
