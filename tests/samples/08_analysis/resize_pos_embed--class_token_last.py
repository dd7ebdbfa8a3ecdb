"""The class token's row put back at the end of the resized rows."""
# expect: test_resize_pos_embed: the class token's row was moved to the end
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    (h, w), (nh, nw) = old_grid, new_grid
    k = int(class_token)
    cls, rows = pos_embed[:, :k], pos_embed[:, k:]
    grid = rows.reshape(1, h, w, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(nh, nw), mode="bicubic", align_corners=False)
    return torch.cat([grid.flatten(2).transpose(1, 2), cls], dim=1)
