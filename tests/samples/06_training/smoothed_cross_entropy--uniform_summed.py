"""The uniform term summed over the classes: each class gets smoothing, not smoothing / K."""
# expect: test_smoothed_cross_entropy: every class gets smoothing instead of smoothing / K (the uniform term summed, not averaged)
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    true_class = -log_p.gather(1, targets[:, None]).squeeze(1)  # (B,)
    uniform = -log_p.sum(dim=-1)  # (B,): summed, should be averaged
    return ((1 - smoothing) * true_class + smoothing * uniform).mean()
