"""A correct answer that builds the smoothed target by mixing the one-hot vector with the uniform one."""
# verdict: test_smoothed_cross_entropy: pass
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.size(1)
    q = (1 - smoothing) * F.one_hot(targets, num_classes=K).to(logits.dtype) + smoothing / K  # (B, K)
    return torch.sum(-q * logits.log_softmax(dim=1), dim=1).mean()
