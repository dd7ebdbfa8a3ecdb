"""The head reads all N + 1 tokens flattened: nn.Linear((N + 1) * dim, num_classes)."""
# expect: test_vit: the head is built on all N + 1 tokens flattened instead of one pooled token
# %% vit
class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0, dropout=0.0, pool="cls"):
        super().__init__()
        if image_size % patch_size:
            raise ValueError("bad")
        if pool not in ("cls", "mean"):
            raise ValueError("pool")
        self.pool = pool
        N = (image_size // patch_size) ** 2
        self.patch_embed = nn.Conv2d(in_channels, dim, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, N + 1, dim) * 0.02)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[make_block(dim, num_heads, mlp_ratio, dropout) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear((N + 1) * dim, num_classes)

    def forward(self, images):
        B = images.shape[0]
        x = self.patch_embed(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(B, -1, -1), x], dim=1)
        x = self.dropout(x + self.pos_embed)
        x = self.norm(self.blocks(x))
        x = x.flatten(1)
        return self.head(x)
