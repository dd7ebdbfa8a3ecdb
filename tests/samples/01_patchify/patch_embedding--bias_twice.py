"""PatchEmbedding adding the bias a second time."""
# expect: test_patch_embedding: the bias is added twice
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels: int, patch_size: int, dim: int):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return self.proj(patchify(images, self.patch_size)) + self.proj.bias
