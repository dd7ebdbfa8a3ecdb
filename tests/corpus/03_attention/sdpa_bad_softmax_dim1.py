"""softmax(scores, dim=1), written for (B, N, N) scores: the queries' axis for 3-D inputs, the heads' for 4-D ones."""
# verdict: test_sdpa: fail: softmax over the wrong axis
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = F.softmax(scores, dim=1)
    return weights @ v, weights
