"""The right value computed on detached logits."""
# expect: test_smoothed_cross_entropy: the gradient is cut (.detach(), .data, torch.no_grad() or a NumPy round trip)
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    K = logits.shape[-1]
    log_p = F.log_softmax(logits.detach(), dim=-1)  # (B, K)
    q = (1 - smoothing) * F.one_hot(targets, K).to(logits.dtype) + smoothing / K  # (B, K)
    return -(q * log_p).sum(dim=-1).mean()
