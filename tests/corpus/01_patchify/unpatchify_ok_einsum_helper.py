"""unpatchify with an einsum permutation, in a helper written in an added cell."""
# verdict: test_unpatchify: pass
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    grid = to_grid(patches, patch_size, height, width)  # (B, h, w, C, P, P)
    images = torch.einsum("bhwcpq->bchpwq", grid)  # (B, C, h, P, w, P)
    return images.reshape(images.shape[0], -1, height, width)
# %% +unpatchify
def to_grid(patches, P, height, width):
    B, N, K = patches.shape
    return patches.reshape(B, height // P, width // P, K // (P * P), P, P)
