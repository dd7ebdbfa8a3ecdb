"""The linear layer stored as self.linear, not self.proj as the text asks."""
# verdict: test_patch_embedding: fail: stored as self.proj
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.linear = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return self.linear(patchify(images, self.patch_size))
