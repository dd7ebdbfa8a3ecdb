"""A LayerNorm after the projection, as some ViT code has: other values and extra parameters."""
# verdict: test_patch_embedding: fail: a normalisation (LayerNorm) after the projection
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, images):
        return self.norm(self.proj(patchify(images, self.patch_size)))
