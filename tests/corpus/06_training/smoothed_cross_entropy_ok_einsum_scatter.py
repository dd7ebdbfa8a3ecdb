"""A correct answer with a target filled by scatter and the loss as an einsum."""
# verdict: test_smoothed_cross_entropy: pass
# %% smoothed_cross_entropy
def smoothed_cross_entropy(logits, targets, smoothing):
    B, K = logits.shape
    q = torch.full_like(logits, smoothing / K).scatter(1, targets.unsqueeze(1), 1 - smoothing + smoothing / K)
    return -torch.einsum("bk,bk->", q, F.log_softmax(logits, dim=1)) / B
