"""A block that runs the attention under torch.no_grad() (copied from an evaluation loop)."""
# verdict: test_block: fail: the gradient is cut
# %% block
class EncoderBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=4.0, dropout=0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, num_heads, dropout=dropout, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, int(dim * mlp_ratio), dropout)

    def forward(self, x):
        h = self.norm1(x)
        with torch.no_grad():
            attended, _ = self.attn(h, h, h)
        x = x + attended
        return x + self.mlp(self.norm2(x))
