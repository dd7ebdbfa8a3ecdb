"""scaled_dot_product_attention without the 1/sqrt(d)."""
# expect: test_sdpa: missing the 1/sqrt(d) scaling
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
