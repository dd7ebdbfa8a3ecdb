"""The smoothed values written into F.one_hot's int64 tensor."""
# expect: test_smoothed_cross_entropy: the target distribution written into F.one_hot's int64 tensor (1 - s and s/K truncated to 0)
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    q = torch.full_like(F.one_hot(targets, K), smoothing / K)  # int64: s/K becomes 0
    q.scatter_(1, targets[:, None], 1 - smoothing + smoothing / K)  # and so does this
    return -(q * log_p).sum(dim=-1).mean()
