"""Label smoothing applied to the predicted probabilities instead of the target."""
# verdict: test_smoothed_cross_entropy: fail: expected the loss
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    p = (1 - smoothing) * F.softmax(logits, dim=-1) + smoothing / K  # (B, K)
    return -torch.log(p[torch.arange(len(targets)), targets]).mean()
