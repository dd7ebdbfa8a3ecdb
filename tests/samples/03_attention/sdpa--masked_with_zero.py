"""scaled_dot_product_attention setting the masked scores to 0 instead of -inf (masked keys keep a weight)."""
# expect: test_sdpa: the masked scores are set to 0 instead of -inf
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, 0)
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
