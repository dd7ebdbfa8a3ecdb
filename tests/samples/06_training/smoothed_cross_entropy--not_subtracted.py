"""The uniform part added to the one-hot target without taking it from the true class."""
# expect: test_smoothed_cross_entropy: smoothing not taken from the true class (the target sums to 1 + smoothing)
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    q = F.one_hot(targets, K).to(logits.dtype) + smoothing / K  # (B, K)
    return -(q * log_p).sum(dim=-1).mean()
