"""(1, N, D) -> transpose -> (1, D, N) -> reshape (1, D, h, w): a correct route without permute."""
# verdict: test_resize_pos_embed: pass
# %% resize
def resize_pos_embed(pos_embed, old_grid, new_grid, class_token=True):
    h, w = old_grid
    D = pos_embed.shape[2]
    prefix = pos_embed[:, :1] if class_token else pos_embed[:, :0]
    patches = pos_embed[:, prefix.shape[1]:].transpose(1, 2).reshape(1, D, h, w)
    patches = F.interpolate(patches, size=tuple(new_grid), mode="bicubic")
    return torch.cat((prefix, patches.reshape(1, D, -1).transpose(1, 2)), dim=1)
