"""A class token prepended inside the patch embedding (notebook 5's job): one token too many."""
# verdict: test_patch_embedding: fail: a class token is prepended
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, images):
        tokens = self.proj(patchify(images, self.patch_size))
        return torch.cat([self.cls_token.expand(tokens.shape[0], -1, -1), tokens], dim=1)
