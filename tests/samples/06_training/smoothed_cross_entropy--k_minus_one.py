"""Smoothing spread over the K - 1 wrong classes only."""
# expect: test_smoothed_cross_entropy: smoothing spread over the K - 1 wrong classes instead of all K
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    one_hot = F.one_hot(targets, K).to(logits.dtype)  # (B, K)
    q = (1 - smoothing) * one_hot + smoothing / (K - 1) * (1 - one_hot)  # (B, K)
    return -(q * log_p).sum(dim=-1).mean()
