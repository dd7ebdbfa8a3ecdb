"""progress divides by total_steps - warmup_steps before the floor is tested: zero when they are equal."""
# expect: test_warmup_cosine: total_steps == warmup_steps not handled (a division by total_steps - warmup_steps = 0)
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    if progress >= 1:
        return min_factor
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))
