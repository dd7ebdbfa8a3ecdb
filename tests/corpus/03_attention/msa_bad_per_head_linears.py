"""The seed exercise's design: a ModuleList of per-head Linear(d, d) maps and loops over the batch and the heads."""
# verdict: test_msa: fail: needs self.qkv = nn.Linear(dim, 3 * dim)
# %% msa
class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        if dim % num_heads:
            raise ValueError("dim must be divisible by num_heads")
        self.num_heads, self.d_head = num_heads, dim // num_heads
        self.q_mappings = nn.ModuleList([nn.Linear(self.d_head, self.d_head) for _ in range(num_heads)])
        self.k_mappings = nn.ModuleList([nn.Linear(self.d_head, self.d_head) for _ in range(num_heads)])
        self.v_mappings = nn.ModuleList([nn.Linear(self.d_head, self.d_head) for _ in range(num_heads)])

    def forward(self, x):
        result, all_weights = [], []
        for sequence in x:
            outs, ws = [], []
            for h in range(self.num_heads):
                seq = sequence[:, h * self.d_head:(h + 1) * self.d_head]
                q, k, v = self.q_mappings[h](seq), self.k_mappings[h](seq), self.v_mappings[h](seq)
                out, w = scaled_dot_product_attention(q, k, v)
                outs.append(out)
                ws.append(w)
            result.append(torch.hstack(outs))
            all_weights.append(torch.stack(ws))
        return torch.stack(result), torch.stack(all_weights)
