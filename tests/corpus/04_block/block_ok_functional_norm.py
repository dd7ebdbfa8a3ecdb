"""A correct block that applies its LayerNorms with F.layer_norm, adds with torch.add, and keeps the two
sublayers in helper methods."""
# verdict: test_block: pass
# %% block
class EncoderBlock(nn.Module):
    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0, dropout: float = 0.0):
        super().__init__()
        self.dim = dim
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, num_heads, dropout, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, int(dim * mlp_ratio), dropout)

    def _attend(self, x: torch.Tensor) -> torch.Tensor:
        h = F.layer_norm(x, (self.dim,), self.norm1.weight, self.norm1.bias, self.norm1.eps)
        return self.attn(query=h, key=h, value=h, need_weights=False)[0]

    def _feed_forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(F.layer_norm(x, (self.dim,), self.norm2.weight, self.norm2.bias, self.norm2.eps))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.add(x, self._attend(x))  # (B, N, D)
        return torch.add(x, self._feed_forward(x))  # (B, N, D)
