"""The scale computed as a float32 tensor, torch.sqrt(torch.tensor(d, dtype=torch.float32)): correct (float32 constant)."""
# verdict: test_sdpa: pass
# verdict: test_msa: pass
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = torch.matmul(q, k.transpose(-2, -1)) / torch.sqrt(torch.tensor(d, dtype=torch.float32))
    if mask is not None:
        scores = scores.masked_fill(mask == False, float("-inf"))  # noqa: E712
    attn = torch.softmax(scores, dim=-1)
    return torch.matmul(attn, v), attn
