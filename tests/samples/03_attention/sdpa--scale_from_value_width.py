"""scaled_dot_product_attention taking d from the values (v.shape[-1]) instead of the queries."""
# expect: test_sdpa: the scale uses the width of the values (v.shape[-1]) instead of the width d of q and k
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    d = v.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
