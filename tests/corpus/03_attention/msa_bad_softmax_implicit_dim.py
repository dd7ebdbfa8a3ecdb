"""Its own attention with F.softmax(scores) and no dim: PyTorch picks dim=1 for 4-D scores, the heads."""
# verdict: test_msa: fail: do not sum to one
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
        q, k, v = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        weights = F.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.head_dim))
        return self.proj((weights @ v).transpose(1, 2).reshape(B, N, D)), weights
