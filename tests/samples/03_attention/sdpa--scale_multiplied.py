"""scaled_dot_product_attention multiplying the scores by sqrt(d) instead of dividing by it."""
# expect: test_sdpa: scores multiplied by sqrt(d) instead of divided by it
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) * math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
