"""`.mean()` of the (B, K) tensor: divided by B * K."""
# expect: test_smoothed_cross_entropy: reduction over the wrong axis: averaged over the classes too (.mean() of the (B, K) tensor)
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    q = (1 - smoothing) * F.one_hot(targets, K).to(logits.dtype) + smoothing / K  # (B, K)
    return -(q * log_p).mean()
