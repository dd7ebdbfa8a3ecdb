"""The progress divides by total_steps - warmup_steps with no guard: zero when they are equal."""
# verdict: test_warmup_cosine: fail: ZeroDivisionError
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))
