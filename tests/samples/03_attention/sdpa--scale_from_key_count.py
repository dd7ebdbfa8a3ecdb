"""scaled_dot_product_attention reading the seed's sqrt(n) as the number of keys instead of their width."""
# expect: test_sdpa: the scale uses the number of keys instead of their width d
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    n = k.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(n)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
