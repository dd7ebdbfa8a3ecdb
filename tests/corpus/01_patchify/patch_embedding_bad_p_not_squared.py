"""The Linear's input size is C * P: the patch side is not squared."""
# verdict: test_patch_embedding: fail: self.proj has the wrong size
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size, dim)

    def forward(self, images):
        return self.proj(patchify(images, self.patch_size))
