"""A correct answer as (1 - s) * NLL + s * mean(-log p), with F.nll_loss for the NLL part."""
# verdict: test_smoothed_cross_entropy: pass
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    log_p = F.log_softmax(logits, dim=-1)  # (B, K)
    nll = F.nll_loss(log_p, targets)  # ()
    uniform = -log_p.mean(dim=-1).mean()  # ()
    return (1 - smoothing) * nll + smoothing * uniform
