"""The smoothing clamped away from 0, so smoothing=0 is not plain cross-entropy."""
# expect: test_smoothed_cross_entropy: smoothing=0 does not give plain cross-entropy
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    s = max(smoothing, 0.01)  # "never train on hard targets"
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    q = (1 - s) * F.one_hot(targets, K).to(logits.dtype) + s / K  # (B, K)
    return -(q * log_p).sum(dim=-1).mean()
