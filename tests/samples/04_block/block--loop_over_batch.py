"""An encoder block that runs the attention on one image of the batch at a time."""
# expect: test_block: python loop
# %% block
class EncoderBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=4.0, dropout=0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, num_heads, dropout=dropout, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, int(dim * mlp_ratio), dropout)

    def forward(self, x):
        outputs = []
        for b in range(x.shape[0]):
            h = self.norm1(x[b : b + 1])
            outputs.append(self.attn(h, h, h, need_weights=False)[0])
        x = x + torch.cat(outputs)
        return x + self.mlp(self.norm2(x))
