"""PatchEmbedding normalising its tokens with a functional layer norm after the projection."""
# expect: test_patch_embedding: a normalisation (LayerNorm) after the projection
# %% patch_embedding
import torch.nn.functional as F


class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        self.patch_size = patch_size
        self.dim = dim
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return F.layer_norm(self.proj(patchify(images, self.patch_size)), (self.dim,))
