"""Dropout on the attention weights (timm's attn_drop), returning the weights from before the dropout: the module is in training mode, so the output is not the attention's."""
# verdict: test_msa: fail: the attention weights are right
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads:
            raise ValueError("dim must be divisible by num_heads")
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.attn_drop = nn.Dropout(0.1)

    def forward(self, x):
        B, N, D = x.shape
        q, k, v = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        weights = (q @ k.transpose(-2, -1) * self.head_dim ** -0.5).softmax(dim=-1)
        out = self.attn_drop(weights) @ v
        return self.proj(out.transpose(1, 2).reshape(B, N, D)), weights
