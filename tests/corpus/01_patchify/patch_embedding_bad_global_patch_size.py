"""forward cuts 7x7 patches, the notebook's example size, instead of the stored patch size."""
# verdict: test_patch_embedding: fail: cannot be cut into 7x7 patches
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return self.proj(patchify(images, 7))
