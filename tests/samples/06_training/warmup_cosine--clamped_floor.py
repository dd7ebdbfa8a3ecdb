"""the floor applied by clamping the cosine (max(min_factor, cosine)) instead of scaling it"""
# expect: test_warmup_cosine: the floor is applied by clamping the cosine instead of scaling it
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if step >= total_steps:
        return min_factor
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return max(min_factor, 0.5 * (1 + math.cos(math.pi * progress)))
