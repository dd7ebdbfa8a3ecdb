"""scaled_dot_product_attention normalising each column (over the queries) instead of each row."""
# expect: test_sdpa: softmax over the wrong axis (the queries instead of the keys)
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-2)
    return weights @ v, weights
