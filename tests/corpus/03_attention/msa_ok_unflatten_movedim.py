"""unflatten/movedim to split the heads, flatten to merge them: correct."""
# verdict: test_msa: pass
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"{dim} is not divisible by {num_heads}")
        self.h = num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        qkv = self.qkv(x).unflatten(-1, (3, self.h, -1))  # (B, N, 3, H, d)
        q, k, v = qkv.movedim(2, 0).transpose(2, 3)  # each (B, H, N, d)
        out, weights = scaled_dot_product_attention(q, k, v)
        return self.proj(out.movedim(1, 2).flatten(2)), weights
