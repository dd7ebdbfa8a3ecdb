"""The N rows stretched to N' rows as one sequence with mode="linear"."""
# expect: test_resize_pos_embed: the positions were interpolated as a 1-D sequence, not as a 2-D grid
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    k = 1 if class_token else 0
    cls, rows = pos_embed[:, :k], pos_embed[:, k:]
    new_n = new_grid[0] * new_grid[1]
    line = F.interpolate(rows.transpose(1, 2), size=new_n, mode="linear", align_corners=False)
    return torch.cat([cls, line.transpose(1, 2)], dim=1)
