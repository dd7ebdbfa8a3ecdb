"""forward uses a patch size of 7 from the notebook's example instead of the stored one."""
# verdict: test_patch_embedding: fail: your code raised
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return self.proj(patchify(images, 7))
