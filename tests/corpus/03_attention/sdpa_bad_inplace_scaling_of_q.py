"""q scaled in place (q /= sqrt(d)): changes the caller's tensor, and autograd refuses it."""
# verdict: test_sdpa: fail: in-place
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    q /= math.sqrt(q.shape[-1])
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
