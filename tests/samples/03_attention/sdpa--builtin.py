"""scaled_dot_product_attention handing the output to PyTorch's fused kernel (right values, not from scratch)."""
# expect: test_sdpa: built-in used
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask), weights
