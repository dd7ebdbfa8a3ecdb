"""MultiHeadSelfAttention with a causal mask, as in nanoGPT's attention: each token sees only the tokens before it."""
# expect: test_msa: a causal mask in self-attention (each token sees only itself and the tokens before it)
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
        q, k, v = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4).unbind(0)
        causal = torch.ones(N, N, dtype=torch.bool, device=x.device).tril()  # (N, N)
        out, weights = scaled_dot_product_attention(q, k, v, causal)
        return self.proj(out.transpose(1, 2).reshape(B, N, D)), weights
