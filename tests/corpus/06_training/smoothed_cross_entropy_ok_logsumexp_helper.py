"""A correct answer with the log-softmax written with torch.logsumexp in a helper cell of the student's own, and the batch mean as a sum divided by B."""
# verdict: test_smoothed_cross_entropy: pass
# %% +setup
def log_probabilities(logits):
    """log_softmax over the classes, written out."""
    return logits - torch.logsumexp(logits, dim=-1, keepdim=True)
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    B, K = logits.shape
    log_p = log_probabilities(logits)  # (B, K)
    picked = log_p[torch.arange(B), targets]  # (B,)
    per_image = -(1 - smoothing) * picked - smoothing / K * log_p.sum(dim=1)  # (B,)
    return per_image.sum() / B
