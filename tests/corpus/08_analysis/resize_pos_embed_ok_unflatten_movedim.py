"""unflatten / movedim on the way in, flatten / movedim on the way out."""
# verdict: test_resize_pos_embed: pass
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    n_prefix = int(bool(class_token))
    grid = pos_embed[:, n_prefix:].unflatten(1, tuple(old_grid)).movedim(-1, 1)  # (1, D, h, w)
    grid = F.interpolate(grid, size=tuple(new_grid), mode="bicubic", align_corners=False)
    rows = grid.movedim(1, -1).flatten(1, 2)  # (1, h' w', D)
    return torch.cat([pos_embed[:, :n_prefix], rows], dim=1)
