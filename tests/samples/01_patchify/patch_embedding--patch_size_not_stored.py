"""PatchEmbedding keeping the patch size under another name."""
# expect: test_patch_embedding: the patch size is not stored as self.patch_size
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return self.proj(patchify(images, self.size))
