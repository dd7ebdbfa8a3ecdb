"""Head split and merge in helper functions of a cell the student added: correct."""
# verdict: test_msa: pass
# %% +sdpa
def split_heads(t, num_heads):
    """(B, N, D) -> (B, H, N, D / H)"""
    B, N, D = t.shape
    return t.reshape(B, N, num_heads, D // num_heads).permute(0, 2, 1, 3)


def merge_heads(t):
    """(B, H, N, d) -> (B, N, H * d)"""
    B, H, N, d = t.shape
    return t.permute(0, 2, 1, 3).reshape(B, N, H * d)
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads:
            raise ValueError("dim must be divisible by num_heads")
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        q, k, v = (split_heads(t, self.num_heads) for t in self.qkv(x).split(x.shape[-1], dim=-1))
        out, weights = scaled_dot_product_attention(q, k, v)
        return self.proj(merge_heads(out)), weights
