"""No special case for the class token: all 1 + N rows treated as the grid."""
# verdict: test_resize_pos_embed: fail: your code raised
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    h, w = old_grid
    grid = pos_embed.reshape(1, h, w, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=new_grid, mode="bicubic", align_corners=False)
    return grid.flatten(2).transpose(1, 2)
