"""Correct: tokens by permute + reshape, the class token repeated (a copy per image), the blocks in an
nn.ModuleList run by a loop, and the patch mean written as a sum divided by N."""
# verdict: test_vit: pass
# verdict: test_vit_mean: pass
# %% vit
class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0,
                 dropout=0.0, pool="cls"):
        super().__init__()
        if image_size % patch_size != 0:
            raise ValueError(f"image_size={image_size} must be divisible by patch_size={patch_size}")
        if pool not in {"cls", "mean"}:
            raise ValueError(f"unknown pool {pool}")
        self.pool = pool
        self.num_patches = (image_size // patch_size) * (image_size // patch_size)
        self.patch_embed = nn.Conv2d(in_channels, dim, patch_size, patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(0.02 * torch.randn(1, self.num_patches + 1, dim))
        self.dropout = nn.Dropout(p=dropout)
        self.blocks = nn.ModuleList([make_block(dim, num_heads, mlp_ratio, dropout) for i in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, images):
        B, C, H, W = images.shape
        x = self.patch_embed(images)  # (B, D, h, w)
        x = x.permute(0, 2, 3, 1).reshape(B, -1, x.shape[1])  # (B, N, D)
        cls = self.cls_token.repeat(B, 1, 1)
        x = torch.cat((cls, x), dim=1)
        x = x + self.pos_embed
        x = self.dropout(x)
        for block in self.blocks:
            x = block(x)
        x = self.norm(x)
        if self.pool == "mean":
            out = x[:, 1:, :].sum(dim=1) / self.num_patches
        else:
            out = x[:, 0, :]
        return self.head(out)
