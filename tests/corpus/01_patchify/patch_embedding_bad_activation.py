"""A GELU after the projection: the embedding is no longer linear."""
# verdict: test_patch_embedding: fail: activation function after the projection
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)
        self.act = nn.GELU()

    def forward(self, images):
        return self.act(self.proj(patchify(images, self.patch_size)))
