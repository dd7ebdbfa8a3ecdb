"""Correct: tokens by movedim + flatten, the class token expanded with explicit sizes, positions added in
place (broadcast over the batch), the mean read with narrow, and the head applied with F.linear."""
# verdict: test_vit: pass
# verdict: test_vit_mean: pass
# %% vit
class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0,
                 dropout=0.0, pool="cls"):
        super().__init__()
        grid, rest = divmod(image_size, patch_size)
        if rest:
            raise ValueError(f"{image_size} is not a multiple of {patch_size}")
        if pool not in ("cls", "mean"):
            raise ValueError(f"pool={pool!r}: use 'cls' or 'mean'")
        self.pool = pool
        self.patch_embed = nn.Conv2d(in_channels, dim, kernel_size=(patch_size, patch_size), stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.empty(1, grid * grid + 1, dim).normal_(std=0.02))
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*(make_block(dim, num_heads, mlp_ratio, dropout) for _ in range(depth)))
        self.norm = nn.LayerNorm(dim, eps=1e-5)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, images):
        x = self.patch_embed(images).movedim(1, -1).flatten(1, 2)  # (B, h, w, D) -> (B, N, D)
        B, N, D = x.shape
        x = torch.cat([self.cls_token.expand(B, 1, D), x], 1)  # (B, N + 1, D)
        x += self.pos_embed
        x = self.norm(self.blocks(self.dropout(x)))
        pooled = x[:, 0] if self.pool == "cls" else x.narrow(1, 1, N).mean(dim=1)
        return F.linear(pooled, self.head.weight, self.head.bias)
