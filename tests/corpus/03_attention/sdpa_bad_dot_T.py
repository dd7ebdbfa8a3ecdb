"""k.T instead of k.transpose(-2, -1): .T reverses every axis of a batched tensor, so the product fails."""
# verdict: test_sdpa: fail: your code raised RuntimeError
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.T / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
