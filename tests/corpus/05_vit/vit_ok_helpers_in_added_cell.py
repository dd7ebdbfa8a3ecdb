"""Correct: two helpers in a cell of their own (tokens with einsum-free .mT, pooling by index tensors),
used by the answer; the positional embedding initialised with trunc_normal_ as timm does."""
# verdict: test_vit: pass
# verdict: test_vit_mean: pass
# %% vit
class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0,
                 dropout=0.0, pool="cls"):
        super().__init__()
        check_sizes(image_size, patch_size, pool)
        self.pool = pool
        num_patches = (image_size // patch_size) ** 2
        self.patch_embed = nn.Conv2d(in_channels, dim, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, dim))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[make_block(dim, num_heads, mlp_ratio, dropout) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, images):
        tokens = feature_map_to_tokens(self.patch_embed(images))
        cls = self.cls_token.expand(tokens.shape[0], -1, -1)
        x = self.dropout(torch.cat([cls, tokens], dim=1) + self.pos_embed)
        x = self.norm(self.blocks(x))
        return self.head(pool_tokens(x, self.pool))
# %% +vit
def check_sizes(image_size, patch_size, pool):
    if image_size % patch_size:
        raise ValueError("the image must split into whole patches")
    if pool not in ("cls", "mean"):
        raise ValueError("pool is 'cls' or 'mean'")


def feature_map_to_tokens(feature_map):
    """(B, D, h, w) -> (B, N, D), row-major."""
    return torch.flatten(feature_map, start_dim=2).mT


def pool_tokens(x, pool):
    """(B, N + 1, D) -> (B, D)."""
    if pool == "cls":
        return x.select(1, 0)
    patch_index = torch.arange(1, x.shape[1], device=x.device)
    return x.index_select(1, patch_index).mean(dim=1)
