"""mode="nearest": every new position copies the nearest old one."""
# expect: test_resize_pos_embed: nearest-neighbour interpolation instead of bicubic
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    (h, w), (nh, nw) = old_grid, new_grid
    k = 1 if class_token else 0
    cls, rows = pos_embed[:, :k], pos_embed[:, k:]
    grid = rows.reshape(1, h, w, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(nh, nw), mode="nearest")
    return torch.cat([cls, grid.flatten(2).transpose(1, 2)], dim=1)
