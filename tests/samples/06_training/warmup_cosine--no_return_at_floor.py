"""The floor branch assigns the factor but never returns it."""
# expect: test_warmup_cosine: None returned: a branch of the function ends without return
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if step < total_steps:
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        return min_factor + (1 - min_factor) * (1 + math.cos(math.pi * progress)) / 2
    factor = min_factor
