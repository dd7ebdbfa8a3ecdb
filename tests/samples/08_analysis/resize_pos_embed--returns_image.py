"""Stops after F.interpolate: returns the (1, D, h', w') image, without the class token."""
# expect: test_resize_pos_embed: the resized grid returned as an image (1, D, h', w'), not as rows of tokens
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    (h, w), (nh, nw) = old_grid, new_grid
    rows = pos_embed[:, 1:] if class_token else pos_embed
    grid = rows.reshape(1, h, w, -1).permute(0, 3, 1, 2)
    return F.interpolate(grid, size=(nh, nw), mode="bicubic", align_corners=False)
