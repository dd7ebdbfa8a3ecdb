"""self.qkv's weight viewed as (3, H, d, D) and applied per head with one einsum; softmax and weighted
sum written inline (largest score subtracted before exp): correct."""
# verdict: test_msa: pass
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads:
            raise ValueError("dim has to be a multiple of num_heads")
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, D = x.shape
        H = self.num_heads
        d = D // H
        W = self.qkv.weight.view(3, H, d, D)
        b = self.qkv.bias.view(3, 1, H, 1, d)
        q, k, v = torch.einsum("bnc,shjc->sbhnj", x, W) + b  # each (B, H, N, d)
        scores = torch.einsum("bhnj,bhmj->bhnm", q, k) / d**0.5
        scores = scores - scores.amax(dim=-1, keepdim=True)
        weights = scores.exp() / scores.exp().sum(dim=-1, keepdim=True)
        out = torch.einsum("bhnm,bhmj->bnhj", weights, v).reshape(B, N, D)
        return self.proj(out), weights
