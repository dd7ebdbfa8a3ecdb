"""PatchEmbedding whose forward applies the layer's parameters with F.linear."""
# verdict: test_patch_embedding: pass
# %% patch_embedding
import torch.nn.functional as F


class PatchEmbedding(nn.Module):
    def __init__(self, in_channels: int, patch_size: int, dim: int):
        super().__init__()
        self.in_channels, self.patch_size, self.dim = in_channels, patch_size, dim
        self.proj = nn.Linear(in_channels * patch_size ** 2, dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        patches = patchify(images, self.patch_size)  # (B, N, C*P*P)
        return F.linear(patches, self.proj.weight, self.proj.bias)  # (B, N, D)
