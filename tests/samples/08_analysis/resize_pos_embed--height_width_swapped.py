"""The grids unpacked as (w, h): rows and columns exchanged on non-square grids."""
# expect: test_resize_pos_embed: the grid's height and width are swapped in a reshape or in the new size
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    w, h = old_grid
    new_w, new_h = new_grid
    k = 1 if class_token else 0
    cls, rows = pos_embed[:, :k], pos_embed[:, k:]
    grid = rows.reshape(1, h, w, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(new_h, new_w), mode="bicubic", align_corners=False)
    return torch.cat([cls, grid.flatten(2).transpose(1, 2)], dim=1)
