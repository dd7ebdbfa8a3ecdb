"""The cosine with torch.cos and no .item(): a one-value tensor comes back."""
# verdict: test_warmup_cosine: fail: Python float
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return torch.tensor((step + 1) / warmup_steps)
    progress = torch.tensor(min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps)))
    return min_factor + (1 - min_factor) * 0.5 * (1 + torch.cos(torch.pi * progress))
