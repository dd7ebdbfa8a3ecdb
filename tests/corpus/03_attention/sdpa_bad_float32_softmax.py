"""The softmax asked for float32 (dtype=torch.float32): float64 inputs give float32 weights and outputs."""
# verdict: test_sdpa: fail: are torch.float32 for torch.float64 inputs
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = F.softmax(scores, dim=-1, dtype=torch.float32)
    return weights @ v.float(), weights
