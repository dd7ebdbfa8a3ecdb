"""MultiHeadSelfAttention dividing the scores by sqrt(D), the model width, instead of sqrt(d_head)."""
# expect: test_msa: scores scaled by 1/sqrt(D) instead of 1/sqrt(d_head)
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
        q, k, v = self.qkv(x).reshape(B, N, 3, H, d).permute(2, 0, 3, 1, 4).unbind(0)
        weights = (q @ k.transpose(-2, -1) / math.sqrt(D)).softmax(-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(B, N, D)), weights
