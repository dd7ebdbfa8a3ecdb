"""PatchEmbedding with the linear map written as an einsum over the patch values."""
# verdict: test_patch_embedding: pass
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        patches = patchify(images, self.patch_size)  # (B, N, K)
        return torch.einsum("bnk,dk->bnd", patches, self.proj.weight) + self.proj.bias
