"""Correct: positions added in two parts (the patches' rows before prepending, the class token's row to
the class token), tokens by view + transpose, and with pool='cls' the final LayerNorm applied to the class
token alone (a LayerNorm acts on each token separately, so this is the same)."""
# verdict: test_vit: pass
# verdict: test_vit_mean: pass
# %% vit
class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0,
                 dropout=0.0, pool="cls"):
        super().__init__()
        if image_size % patch_size:
            raise ValueError("image_size must be a multiple of patch_size")
        if pool != "cls" and pool != "mean":
            raise ValueError("pool must be 'cls' or 'mean'")
        n = (image_size // patch_size) ** 2
        self.dim, self.pool = dim, pool
        self.patch_embed = nn.Conv2d(in_channels, dim, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, n + 1, dim) * 0.02)
        self.dropout = nn.Dropout(dropout)
        blocks = []
        for _ in range(depth):
            blocks.append(make_block(dim, num_heads, mlp_ratio, dropout))
        self.blocks = nn.Sequential(*blocks)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, images):
        B = images.size(0)
        patches = self.patch_embed(images).view(B, self.dim, -1).transpose(1, 2)  # (B, N, D)
        patches = patches + self.pos_embed[:, 1:]
        cls = (self.cls_token + self.pos_embed[:, :1]).expand(B, -1, -1)  # (B, 1, D)
        x = self.dropout(torch.cat([cls, patches], dim=1))
        x = self.blocks(x)
        if self.pool == "cls":
            return self.head(self.norm(x[:, 0]))
        return self.head(self.norm(x)[:, 1:].mean(1))
