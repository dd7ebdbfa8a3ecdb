"""Returns the resized (1, D, h', w') image instead of rows."""
# verdict: test_resize_pos_embed: fail: returned as an image
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    k = 1 if class_token else 0
    h, w = old_grid
    grid = pos_embed[:, k:].reshape(1, h, w, -1).permute(0, 3, 1, 2)
    return F.interpolate(grid, size=new_grid, mode="bicubic", align_corners=False)
