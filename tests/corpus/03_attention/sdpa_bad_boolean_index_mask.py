"""The mask applied by boolean indexing, scores[~mask] = -inf: breaks as soon as the mask broadcasts (fewer axes than the scores)."""
# verdict: test_sdpa: fail: IndexError
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores[~mask] = float("-inf")
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
