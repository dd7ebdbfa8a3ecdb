"""a linear decay instead of a cosine"""
# expect: test_warmup_cosine: a linear decay instead of a cosine
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_factor + (1 - min_factor) * (1 - progress)
