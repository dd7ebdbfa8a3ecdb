"""softmax as torch.exp(scores) / sum, without subtracting the row maximum: overflows when the scores are large."""
# verdict: test_sdpa: fail: contain NaN or inf
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    exp_scores = torch.exp(scores)
    weights = exp_scores / torch.sum(exp_scores, dim=-1, keepdim=True)
    return torch.matmul(weights, v), weights
