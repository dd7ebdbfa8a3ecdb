"""The right values computed in NumPy: no gradient."""
# verdict: test_smoothed_cross_entropy: fail: gradient
# %% smoothed_cross_entropy
import numpy as np


def smoothed_cross_entropy(logits, targets, smoothing):
    x = logits.detach().numpy()
    x = x - x.max(axis=1, keepdims=True)
    log_p = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    K = x.shape[1]
    q = np.full_like(x, smoothing / K)
    q[np.arange(len(x)), targets.numpy()] += 1 - smoothing
    return torch.tensor(-(q * log_p).sum(axis=1).mean())
