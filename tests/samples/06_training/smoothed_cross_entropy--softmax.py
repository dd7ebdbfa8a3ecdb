"""Probabilities where the log-probabilities go."""
# expect: test_smoothed_cross_entropy: softmax instead of log_softmax (probabilities where log-probabilities go)
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    p = F.softmax(logits, dim=-1)  # (B, K)
    q = (1 - smoothing) * F.one_hot(targets, K).to(logits.dtype) + smoothing / K  # (B, K)
    return -(q * p).sum(dim=-1).mean()
