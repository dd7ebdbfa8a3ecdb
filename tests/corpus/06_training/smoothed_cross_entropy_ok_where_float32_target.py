"""A correct answer with the target built by torch.where in float32 (the default dtype): rounding s / K to float32 stays within the tolerance."""
# verdict: test_smoothed_cross_entropy: pass
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    classes = torch.arange(K)  # (K,)
    q = torch.where(classes[None, :] == targets[:, None], 1 - smoothing + smoothing / K, smoothing / K)  # (B, K)
    q = q.float()
    return -(q * torch.log_softmax(logits, -1)).sum(-1).mean()
