"""The class token's row split off for the interpolation and never put back."""
# expect: test_resize_pos_embed: the class token's row was dropped
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    (h, w), (nh, nw) = old_grid, new_grid
    rows = pos_embed[:, 1:] if class_token else pos_embed
    grid = rows.reshape(1, h, w, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(nh, nw), mode="bicubic", align_corners=False)
    return grid.flatten(2).transpose(1, 2)
