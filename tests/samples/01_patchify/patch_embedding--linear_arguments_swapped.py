"""PatchEmbedding building nn.Linear(D, C*P*P): the two sizes in the wrong order."""
# expect: test_patch_embedding: self.proj has the wrong size: it must be nn.Linear(C*P*P, D)
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(dim, in_channels * patch_size * patch_size)

    def forward(self, images):
        return self.proj(patchify(images, self.patch_size))
