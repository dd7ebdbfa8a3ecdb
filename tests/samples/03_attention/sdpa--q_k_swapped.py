"""scaled_dot_product_attention computing k @ q^T: rows score keys against the queries."""
# expect: test_sdpa: q and k swapped (scores k @ q^T)
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = k @ q.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
