"""the cosine ignores min_factor (it decays to 0)"""
# expect: test_warmup_cosine: the cosine ignores min_factor (it decays to 0)
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return 0.5 * (1 + math.cos(math.pi * progress))
