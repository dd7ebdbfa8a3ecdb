"""the cosine counts its progress from step 0, not from the end of the warmup"""
# expect: test_warmup_cosine: the cosine counts its progress from step 0, not from the end of the warmup
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, step / total_steps)
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))
