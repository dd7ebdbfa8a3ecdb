"""scaled_dot_product_attention reading True in the mask as 'hide this key'."""
# expect: test_sdpa: the mask is inverted (True must mean 'may attend')
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
