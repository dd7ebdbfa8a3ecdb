"""scaled_dot_product_attention returning (weights, output) instead of (output, weights)."""
# expect: test_sdpa: output and weights returned in the wrong order
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights, weights @ v
