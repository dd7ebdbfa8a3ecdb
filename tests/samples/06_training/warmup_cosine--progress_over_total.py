"""the cosine's progress measured over all the steps: (step - warmup_steps) / total_steps"""
# expect: test_warmup_cosine: the cosine's progress is divided by total_steps, not by the steps after the warmup
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / total_steps)
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))
