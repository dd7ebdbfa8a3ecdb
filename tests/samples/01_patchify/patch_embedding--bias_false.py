"""PatchEmbedding with a bias-free projection."""
# expect: test_patch_embedding: self.proj has no bias (bias=False)
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size ** 2, dim, bias=False)

    def forward(self, images):
        return self.proj(patchify(images, self.patch_size))
