"""PatchEmbedding applying only the weight of its layer: the bias is left out."""
# expect: test_patch_embedding: the bias is left out
# %% patch_embedding
import torch.nn.functional as F


class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return F.linear(patchify(images, self.patch_size), self.proj.weight)
