"""Heads merged with .view right after transpose: the tensor is not contiguous, so view fails."""
# verdict: test_msa: fail: view size is not compatible
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
        q, k, v = self.qkv(x).view(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        out, weights = scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).view(B, N, D)), weights
