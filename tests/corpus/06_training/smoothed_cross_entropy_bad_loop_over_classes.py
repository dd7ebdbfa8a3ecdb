"""A Python loop over the classes."""
# verdict: test_smoothed_cross_entropy: fail: loop
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = F.log_softmax(logits, dim=-1)
    loss = 0
    for k in range(K):
        q_k = (1 - smoothing) * (targets == k).to(logits.dtype) + smoothing / K  # (B,)
        loss = loss - q_k * log_p[:, k]
    return loss.mean()
