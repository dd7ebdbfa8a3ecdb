"""MultiHeadSelfAttention with an extra learnable temperature (initialised to 1/sqrt(d)): same outputs, but not nn.MultiheadAttention's parameter count (hidden)."""
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads:
            raise ValueError("dim must be divisible by num_heads")
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.temperature = nn.Parameter(torch.tensor(self.head_dim ** -0.5, dtype=torch.float64))

    def forward(self, x):
        B, N, D = x.shape
        q, k, v = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4).unbind(0)
        weights = (q @ k.transpose(-2, -1) * self.temperature).softmax(-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(B, N, D)), weights
