"""Returns a copy at the same size; otherwise resizes in float64 and converts back to the input's dtype."""
# verdict: test_resize_pos_embed: pass
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    if tuple(old_grid) == tuple(new_grid):
        return pos_embed.clone()
    start = 1 if class_token else 0
    h, w = old_grid
    grid = pos_embed[:, start:].double().reshape(1, h, w, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=new_grid, mode="bicubic")
    rows = grid.permute(0, 2, 3, 1).reshape(1, new_grid[0] * new_grid[1], -1).to(pos_embed.dtype)
    return torch.cat([pos_embed[:, :start], rows], dim=1)
