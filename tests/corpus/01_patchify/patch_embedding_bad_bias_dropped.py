"""forward applies only the weight: the bias is forgotten."""
# verdict: test_patch_embedding: fail: the bias is left out
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return patchify(images, self.patch_size) @ self.proj.weight.T
