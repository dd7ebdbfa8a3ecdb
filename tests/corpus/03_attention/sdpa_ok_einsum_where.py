"""einsum for both products, torch.where for the mask, F.softmax: correct."""
# verdict: test_sdpa: pass
# verdict: test_msa: pass
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.size(-1)
    scores = torch.einsum("...qd,...kd->...qk", q, k) / math.sqrt(d)
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype))
    weights = F.softmax(scores, dim=-1)
    out = torch.einsum("...qk,...kv->...qv", weights, v)
    return out, weights
