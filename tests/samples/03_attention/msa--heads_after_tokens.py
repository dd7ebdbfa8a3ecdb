"""MultiHeadSelfAttention that never moves the heads axis in front of the tokens: each token's heads attend to each other."""
# expect: test_msa: attention runs across the heads instead of the tokens (heads axis left after the tokens axis)
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
        q, k, v = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).unbind(2)  # (B, N, H, d) each
        out, weights = scaled_dot_product_attention(q, k, v)
        return self.proj(out.reshape(B, N, D)), weights
