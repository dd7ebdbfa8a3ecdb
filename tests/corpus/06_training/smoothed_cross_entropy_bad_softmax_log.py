"""torch.log of F.softmax: the probabilities of far-behind classes round to 0 and their log is -inf."""
# verdict: test_smoothed_cross_entropy: fail: log of softmax computed unstably
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = torch.log(F.softmax(logits, dim=-1))  # (B, K)
    q = (1 - smoothing) * F.one_hot(targets, K).to(logits.dtype) + smoothing / K
    return -(q * log_p).sum(-1).mean()
