"""MultiHeadSelfAttention reshaping the fused output to (B, N, 3, d, H): each head gets every H-th feature."""
# expect: test_msa: heads interleaved: q, k and v split as (d_head, heads) instead of (heads, d_head)
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
        q, k, v = self.qkv(x).reshape(B, N, 3, d, H).permute(2, 0, 4, 1, 3).unbind(0)
        out, weights = scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(B, N, D)), weights
