"""einsum attention, the scale a float32 tensor attribute that .to(float64) does not convert: correct."""
# verdict: test_msa: pass
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads:
            raise ValueError("num_heads must divide dim")
        self.heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.scale = torch.rsqrt(torch.tensor(float(dim // num_heads)))  # float32, not a buffer

    def forward(self, x):
        B, N, D = x.shape
        qkv = self.qkv(x).view(B, N, 3, self.heads, D // self.heads)
        q, k, v = qkv[:, :, 0], qkv[:, :, 1], qkv[:, :, 2]  # (B, N, H, d)
        attn = torch.einsum("bnhd,bmhd->bhnm", q, k).mul(self.scale).softmax(-1)
        out = torch.einsum("bhnm,bmhd->bnhd", attn, v).reshape(B, N, D)
        return self.proj(out), attn
