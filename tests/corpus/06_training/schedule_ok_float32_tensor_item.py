"""The cosine computed with torch on a float32 tensor, turned into a Python float with .item()."""
# verdict: test_warmup_cosine: pass
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if step >= total_steps:
        return float(min_factor)
    progress = torch.tensor((step - warmup_steps) / (total_steps - warmup_steps), dtype=torch.float32)
    cosine = 0.5 * (1 + torch.cos(torch.pi * progress))
    return (min_factor + (1 - min_factor) * cosine).item()
