"""The patch rows reshaped straight to (1, D, h, w), and back with a reshape too."""
# expect: test_resize_pos_embed: a reshape where a permute was needed: (1, N, D) and (1, D, h, w) hold the values in different orders
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    (h, w), (nh, nw) = old_grid, new_grid
    D = pos_embed.shape[-1]
    k = 1 if class_token else 0
    cls, rows = pos_embed[:, :k], pos_embed[:, k:]
    grid = F.interpolate(rows.reshape(1, D, h, w), size=(nh, nw), mode="bicubic", align_corners=False)
    return torch.cat([cls, grid.reshape(1, nh * nw, D)], dim=1)
