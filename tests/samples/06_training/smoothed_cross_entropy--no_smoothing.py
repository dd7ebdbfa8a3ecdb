"""Plain cross-entropy, the smoothing never used."""
# expect: test_smoothed_cross_entropy: no smoothing at all (plain cross-entropy whatever smoothing is)
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    return -log_p[torch.arange(len(targets)), targets].mean()
