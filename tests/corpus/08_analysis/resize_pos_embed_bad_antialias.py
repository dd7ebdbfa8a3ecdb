"""antialias=True: the same when growing, a blur when a grid shrinks."""
# verdict: test_resize_pos_embed: fail: antialias=True
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    (h, w), k = old_grid, int(class_token)
    grid = pos_embed[:, k:].reshape(1, h, w, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=new_grid, mode="bicubic", align_corners=False, antialias=True)
    return torch.cat([pos_embed[:, :k], grid.flatten(2).transpose(1, 2)], dim=1)
