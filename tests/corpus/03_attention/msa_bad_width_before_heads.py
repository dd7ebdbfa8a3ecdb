"""q, k, v chunked, then each viewed as (B, N, d, H), width before heads, and merged back the same way: every head gets interleaved features."""
# verdict: test_msa: fail: heads interleaved
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
        q, k, v = (t.view(B, N, self.head_dim, self.num_heads).permute(0, 3, 1, 2)
                   for t in self.qkv(x).chunk(3, dim=-1))  # (B, H, N, d)
        out, weights = scaled_dot_product_attention(q, k, v)
        out = out.permute(0, 2, 3, 1).reshape(B, N, D)  # back as (B, N, d, H)
        return self.proj(out), weights
