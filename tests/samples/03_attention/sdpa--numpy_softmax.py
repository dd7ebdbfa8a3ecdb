"""scaled_dot_product_attention computing the softmax in NumPy: right values, but the round trip cuts the gradients."""
# expect: test_sdpa: the gradients do not flow back (the output is cut off from the autograd graph)
# %% sdpa
import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).detach().numpy()
    if mask is not None:
        scores = np.where(mask.numpy(), scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = torch.from_numpy(e / e.sum(axis=-1, keepdims=True))
    return weights @ v, weights
