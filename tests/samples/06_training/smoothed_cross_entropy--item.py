"""The right value, returned as a Python float."""
# expect: test_smoothed_cross_entropy: the loss is returned as a Python number (.item()): no gradient can flow
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    q = (1 - smoothing) * F.one_hot(targets, K).to(logits.dtype) + smoothing / K  # (B, K)
    return -(q * log_p).sum(dim=-1).mean().item()
