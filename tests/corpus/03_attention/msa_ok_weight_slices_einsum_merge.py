"""q, k and v from slices of self.qkv's weight and bias (F.linear), the merge folded into self.proj's
weight viewed per head (einsum), no concatenation: correct (the contract leaves the reshapes free)."""
# verdict: test_msa: pass
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads != 0:
            raise ValueError(f"num_heads={num_heads} does not divide dim={dim}")
        self.H = num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, D = x.shape
        H, d = self.H, D // self.H
        parts = []
        for W, b in zip(self.qkv.weight.split(D), self.qkv.bias.split(D)):  # three parts, not a loop over data
            parts.append(F.linear(x, W, b).view(B, N, H, d).permute(0, 2, 1, 3))  # (B, H, N, d)
        out, weights = scaled_dot_product_attention(*parts)  # (B, H, N, d), (B, H, N, N)
        W_o = self.proj.weight.view(D, H, d)  # output feature, head, feature of the head
        return torch.einsum("bhnj,ehj->bne", out, W_o) + self.proj.bias, weights
