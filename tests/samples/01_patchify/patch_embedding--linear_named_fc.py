"""PatchEmbedding storing its linear layer as self.fc."""
# expect: test_patch_embedding: the linear layer is not stored as self.proj = nn.Linear(C*P*P, D)
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.fc = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return self.fc(patchify(images, self.patch_size))
