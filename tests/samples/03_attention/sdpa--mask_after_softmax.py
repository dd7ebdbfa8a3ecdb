"""scaled_dot_product_attention zeroing the masked weights after the softmax (rows no longer sum to one)."""
# expect: test_sdpa: the mask is applied after the softmax
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    weights = scores.softmax(dim=-1)
    if mask is not None:
        weights = weights.masked_fill(~mask, 0.0)
    return weights @ v, weights
