"""scaled_dot_product_attention that accepts a mask and never uses it."""
# expect: test_sdpa: the mask is ignored
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
