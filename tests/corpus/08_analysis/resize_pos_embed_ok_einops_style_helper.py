"""The layout changes in two helpers written in an added cell."""
# verdict: test_resize_pos_embed: pass
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    cls, rows = split_class_token(pos_embed, class_token)
    image = rows_to_image(rows, *old_grid)
    image = F.interpolate(image, size=new_grid, mode="bicubic", align_corners=False)
    return torch.cat([cls, image.flatten(start_dim=2).permute(0, 2, 1)], dim=1)
# %% +resize
def split_class_token(pos_embed, class_token):
    k = 1 if class_token else 0
    return pos_embed[:, :k], pos_embed[:, k:]


def rows_to_image(rows, h, w):
    return rows.permute(0, 2, 1).reshape(rows.shape[0], rows.shape[2], h, w)
