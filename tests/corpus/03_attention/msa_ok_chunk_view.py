"""qkv split with chunk(3), heads with view + transpose, merged with contiguous().view: correct."""
# verdict: test_msa: pass
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads != 0:
            raise ValueError("dim must be a multiple of num_heads")
        self.num_heads = num_heads
        self.d_head = dim // num_heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, D = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q = q.view(B, N, self.num_heads, self.d_head).transpose(1, 2)
        k = k.view(B, N, self.num_heads, self.d_head).transpose(1, 2)
        v = v.view(B, N, self.num_heads, self.d_head).transpose(1, 2)
        out, attn = scaled_dot_product_attention(q, k, v)
        out = out.transpose(1, 2).contiguous().view(B, N, D)
        return self.proj(out), attn
