"""Warmup as an interpolation between 1/W and 1, the decay phase first."""
# verdict: test_warmup_cosine: pass
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step >= total_steps:
        return min_factor
    if step >= warmup_steps:
        t = (step - warmup_steps) / (total_steps - warmup_steps)
        return min_factor + 0.5 * (1.0 - min_factor) * (1.0 + math.cos(t * math.pi))
    start = 1.0 / warmup_steps
    return start + (1.0 - start) * step / max(1, warmup_steps - 1)
