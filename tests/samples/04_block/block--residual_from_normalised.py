"""An encoder block that overwrites x with norm(x), so the residual carries the normalised input."""
# expect: test_block: the residual is added to the normalised input
# %% block
class EncoderBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=4.0, dropout=0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, num_heads, dropout=dropout, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, int(dim * mlp_ratio), dropout)

    def forward(self, x):
        x = self.norm1(x)
        x = x + self.attn(x, x, x, need_weights=False)[0]
        x = self.norm2(x)
        return x + self.mlp(x)
