"""An encoder block that hands the whole job to nn.TransformerEncoderLayer."""
# expect: test_block: built-in block used
# expect: test_block: built-in used
# %% block
class EncoderBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=4.0, dropout=0.0):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(dim, num_heads, int(dim * mlp_ratio), dropout,
                                                activation="gelu", batch_first=True, norm_first=True)
        self.norm1, self.attn, self.norm2 = self.layer.norm1, self.layer.self_attn, self.layer.norm2

    def forward(self, x):
        return self.layer(x)
