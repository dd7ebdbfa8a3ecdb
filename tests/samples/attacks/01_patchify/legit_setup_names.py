"""Legitimate: answers that use names the setup cell defines (nn, torch, device, FAST)."""
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)
        self.verbose = not FAST and device.type == "never"

    def forward(self, images):
        return self.proj(patchify(images, self.patch_size))
