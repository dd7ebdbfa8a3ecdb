"""Returns only the output, not the pair (output, weights)."""
# verdict: test_sdpa: fail: should return a pair (output, weights)
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return scores.softmax(dim=-1) @ v
