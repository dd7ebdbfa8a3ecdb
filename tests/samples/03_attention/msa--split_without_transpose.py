"""MultiHeadSelfAttention viewing q, k, v of shape (B, N, D) directly as (B, H, N, d), and merging back the same way."""
# expect: test_msa: heads split without a transpose (tokens mixed across heads)
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
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q, k, v = (t.reshape(B, H, N, d) for t in (q, k, v))
        out, weights = scaled_dot_product_attention(q, k, v)
        return self.proj(out.reshape(B, N, D)), weights
