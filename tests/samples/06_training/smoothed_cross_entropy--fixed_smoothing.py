"""The smoothing hard-coded to the course's 0.1."""
# expect: test_smoothed_cross_entropy: a fixed smoothing of 0.1 instead of the smoothing argument
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    q = 0.9 * F.one_hot(targets, K).to(logits.dtype) + 0.1 / K  # (B, K)
    return -(q * log_p).sum(dim=-1).mean()
