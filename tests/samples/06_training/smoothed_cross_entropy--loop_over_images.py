"""A Python loop over the images."""
# expect: test_smoothed_cross_entropy: python loop
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    total = 0.0
    for row, y in zip(logits, targets):
        log_p = F.log_softmax(row, dim=-1)  # (K,)
        total = total - (1 - smoothing) * log_p[y] - smoothing * log_p.mean()
    return total / len(targets)
