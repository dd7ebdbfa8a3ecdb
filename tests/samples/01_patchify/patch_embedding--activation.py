"""PatchEmbedding with a ReLU after the projection."""
# expect: test_patch_embedding: an activation function after the projection: the patch embedding must stay linear
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return torch.relu(self.proj(patchify(images, self.patch_size)))
