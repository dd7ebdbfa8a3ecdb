"""scaled_dot_product_attention dividing the scores by d instead of sqrt(d)."""
# expect: test_sdpa: scores divided by d instead of sqrt(d)
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1]
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
