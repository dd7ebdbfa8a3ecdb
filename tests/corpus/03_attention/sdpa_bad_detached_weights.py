"""The weights detached before the weighted sum (to return them 'without the graph'): right values, no gradient for q and k."""
# verdict: test_sdpa: fail: the gradients do not flow back
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1).detach()
    return weights @ v, weights
