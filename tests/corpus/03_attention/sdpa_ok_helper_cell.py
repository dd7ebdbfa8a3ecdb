"""The scores computed by a helper function the student wrote in a cell of their own, the scale a float32 rsqrt: correct."""
# verdict: test_sdpa: pass
# verdict: test_msa: pass
# %% +setup
def attention_scores(q, k):
    """(..., Nq, d), (..., Nk, d) -> (..., Nq, Nk) scaled dot products."""
    inv_sqrt_d = torch.tensor(q.shape[-1]).rsqrt()  # a float32 constant
    return (q @ k.transpose(-2, -1)) * inv_sqrt_d
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = attention_scores(q, k)
    if mask is not None:
        scores = scores + torch.zeros_like(scores).masked_fill(~mask, float("-inf"))  # additive mask
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
