"""The floor branch sets the value but forgets to return it: None comes back after total_steps."""
# verdict: test_warmup_cosine: fail: Python float
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if step >= total_steps:
        factor = min_factor
    else:
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))
