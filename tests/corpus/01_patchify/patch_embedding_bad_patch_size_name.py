"""Stores the patch size as self.p, not self.patch_size as the text asks (patch_embedding_as_conv reads it)."""
# verdict: test_patch_embedding: fail: the patch size is not stored as self.patch_size
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.p = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return self.proj(patchify(images, self.p))
