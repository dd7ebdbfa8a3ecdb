"""The fused output cut per head first, (B, N, H, 3d), then chunked into q, k, v: the layout of some other libraries, not nn.MultiheadAttention's."""
# verdict: test_msa: fail: split as (heads, 3, d_head)
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
        qkv = self.qkv(x).reshape(B, N, self.num_heads, 3 * self.head_dim).transpose(1, 2)  # (B, H, N, 3d)
        q, k, v = qkv.chunk(3, dim=-1)
        out, weights = scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(B, N, D)), weights
