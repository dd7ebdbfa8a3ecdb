"""The minus sign forgotten."""
# expect: test_smoothed_cross_entropy: the minus sign forgotten (the loss is negative)
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    q = (1 - smoothing) * F.one_hot(targets, K).to(logits.dtype) + smoothing / K  # (B, K)
    return (q * log_p).sum(dim=-1).mean()
