"""MultiHeadSelfAttention reshaping (B, H, N, d) straight to (B, N, D)."""
# expect: test_msa: heads merged in the wrong order (no transpose before the reshape)
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads:
            raise ValueError("dim must be divisible by num_heads")
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, D = x.shape
        H, d = self.num_heads, self.head_dim
        q, k, v = self.qkv(x).reshape(B, N, 3, H, d).permute(2, 0, 3, 1, 4).unbind(0)
        out, weights = scaled_dot_product_attention(q, k, v)
        return self.proj(out.reshape(B, N, D)), weights
