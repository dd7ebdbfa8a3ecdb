"""squeeze_(0) on the input "to drop the batch axis": the caller's tensor changes shape."""
# verdict: test_resize_pos_embed: fail: changed the embedding
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    table = pos_embed.squeeze_(0)  # (T, D)
    k = 1 if class_token else 0
    (h, w), (nh, nw) = old_grid, new_grid
    grid = table[k:].T.reshape(1, -1, h, w)
    grid = F.interpolate(grid, size=(nh, nw), mode="bicubic", align_corners=False)
    return torch.cat([table[:k], grid[0].flatten(1).T])[None]
