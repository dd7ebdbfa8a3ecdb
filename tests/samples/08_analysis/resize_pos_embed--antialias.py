"""antialias=True: no change when the grid grows, a blur when it shrinks."""
# expect: test_resize_pos_embed: antialias=True (a blur when the grid shrinks)
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    (h, w), (nh, nw) = old_grid, new_grid
    k = 1 if class_token else 0
    cls, rows = pos_embed[:, :k], pos_embed[:, k:]
    grid = rows.reshape(1, h, w, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(nh, nw), mode="bicubic", align_corners=False, antialias=True)
    return torch.cat([cls, grid.flatten(2).transpose(1, 2)], dim=1)
