"""The seed exercise's shape: a Python loop over the heads, each sliced out of the fused projection (right values)."""
# expect: test_msa: python loop
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
        qkv = self.qkv(x)
        outs, ws = [], []
        for h in range(H):
            q = qkv[..., h * d:(h + 1) * d]
            k = qkv[..., D + h * d:D + (h + 1) * d]
            v = qkv[..., 2 * D + h * d:2 * D + (h + 1) * d]
            out, w = scaled_dot_product_attention(q, k, v)
            outs.append(out)
            ws.append(w)
        return self.proj(torch.cat(outs, dim=-1)), torch.stack(ws, dim=1)
