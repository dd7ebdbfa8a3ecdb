"""The mask multiplied into the scores (scores * mask): masked scores become 0, not -inf."""
# verdict: test_sdpa: fail: the masked scores are set to 0 instead of -inf
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores * mask
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
