"""k.mT, the masked scores filled with the dtype's most negative number instead of -inf (their weight still underflows to exactly 0): correct."""
# verdict: test_sdpa: pass
# verdict: test_msa: pass
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scale = q.shape[-1] ** -0.5
    scores = (q @ k.mT) * scale
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), torch.finfo(scores.dtype).min)
    weights = scores.softmax(-1)
    return weights @ v, weights
