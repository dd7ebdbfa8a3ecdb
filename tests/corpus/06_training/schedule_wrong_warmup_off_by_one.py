"""The warmup divides by warmup_steps - 1 so that step W - 1 reaches 1, but step 0 then gets 0."""
# verdict: test_warmup_cosine: fail: in the warmup
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return step / max(1, warmup_steps - 1)
    if step >= total_steps:
        return min_factor
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))
