"""A helper for the cosine part in a cell of its own, NumPy for the clipping."""
# verdict: test_warmup_cosine: pass
# %% warmup_cosine
def warmup_cosine(step, warmup_steps, total_steps, min_factor=0.0):
    if step < warmup_steps:
        return float(step + 1) / float(warmup_steps)
    if step >= total_steps:
        return min_factor
    return cosine_between(min_factor, 1.0, (step - warmup_steps) / (total_steps - warmup_steps))
# %% +warmup_cosine
import numpy as np


def cosine_between(low, high, progress):
    """From high at progress 0 down to low at progress 1, along half a cosine."""
    progress = float(np.clip(progress, 0.0, 1.0))
    return low + (high - low) * (1 + np.cos(np.pi * progress)) / 2
