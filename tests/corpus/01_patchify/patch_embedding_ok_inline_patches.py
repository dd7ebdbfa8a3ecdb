"""PatchEmbedding that cuts the patches with its own helper method instead of calling patchify."""
# verdict: test_patch_embedding: pass
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels: int, patch_size: int, dim: int):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def to_patches(self, images):
        B, C, H, W = images.shape
        P = self.patch_size
        x = images.unflatten(2, (H // P, P)).unflatten(4, (W // P, P))  # (B, C, h, P, w, P)
        return x.permute(0, 2, 4, 1, 3, 5).flatten(3).flatten(1, 2)  # (B, N, C*P*P)

    def forward(self, images):
        return self.proj(self.to_patches(images))
