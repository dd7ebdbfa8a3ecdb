"""Always cuts off the first row as the class token, even with class_token=False."""
# expect: test_resize_pos_embed: the grid taken from the wrong rows: the class_token flag was not followed
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    (h, w), (nh, nw) = old_grid, new_grid
    cls, rows = pos_embed[:, :1], pos_embed[:, 1:]
    grid = rows.reshape(1, h, w, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(nh, nw), mode="bicubic", align_corners=False)
    return torch.cat([cls, grid.flatten(2).transpose(1, 2)], dim=1)
