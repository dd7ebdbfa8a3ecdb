"""PatchEmbedding written as a matrix product with the transposed weight plus the bias."""
# verdict: test_patch_embedding: pass
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_features=in_channels * patch_size * patch_size, out_features=dim)

    def forward(self, x):
        patches = patchify(x, self.patch_size)
        return patches @ self.proj.weight.T + self.proj.bias
