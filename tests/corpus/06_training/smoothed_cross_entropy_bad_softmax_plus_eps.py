"""log(softmax + 1e-12): finite, but wrong wherever a probability is below 1e-12."""
# verdict: test_smoothed_cross_entropy: fail: size 1000
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = torch.log(F.softmax(logits, dim=-1) + 1e-12)  # (B, K)
    q = (1 - smoothing) * F.one_hot(targets, K).to(logits.dtype) + smoothing / K
    return -(q * log_p).sum(-1).mean()
