"""(1 + cos x) / 2 written as cos(x / 2) ** 2, the floor through a clamp of the progress."""
# verdict: test_warmup_cosine: pass
# %% warmup_cosine
def warmup_cosine(step: int, warmup_steps: int, total_steps: int, min_factor: float = 0.0) -> float:
    if step + 1 <= warmup_steps:
        return (step + 1) / warmup_steps
    decay_steps = total_steps - warmup_steps
    progress = 1.0 if decay_steps == 0 else max(0.0, min(1.0, (step - warmup_steps) / decay_steps))
    return min_factor + (1.0 - min_factor) * math.cos(math.pi * progress / 2) ** 2
