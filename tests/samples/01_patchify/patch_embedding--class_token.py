"""PatchEmbedding prepending a learned class token to the patch tokens."""
# expect: test_patch_embedding: a class token is prepended: PatchEmbedding returns the N patch tokens only
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)
        self.cls = nn.Parameter(torch.randn(1, 1, dim))

    def forward(self, images):
        tokens = self.proj(patchify(images, self.patch_size))  # (B, N, D)
        return torch.cat([self.cls.repeat(tokens.shape[0], 1, 1), tokens], dim=1)
