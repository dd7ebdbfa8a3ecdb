"""A correct block whose norms are small modules wrapping the student's own layer_norm (a weight and a
bias of shape (D,) each), called with the attention's keyword arguments."""
# verdict: test_block: pass
# %% +block
class MyLayerNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return layer_norm(x, self.weight, self.bias, self.eps)
# %% block
class EncoderBlock(nn.Module):
    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0, dropout: float = 0.0):
        super().__init__()
        self.norm1 = MyLayerNorm(dim)
        self.attn = nn.MultiheadAttention(embed_dim=dim, num_heads=num_heads, dropout=dropout, batch_first=True)
        self.norm2 = MyLayerNorm(dim)
        self.mlp = MLP(dim, int(dim * mlp_ratio), dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm1(x)  # (B, N, D)
        attended, _ = self.attn(query=h, key=h, value=h, need_weights=False)
        y = x + attended  # (B, N, D)
        return y + self.mlp(self.norm2(y))  # (B, N, D)
