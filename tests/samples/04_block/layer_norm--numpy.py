"""A LayerNorm computed in NumPy: right values, no gradients."""
# expect: test_layer_norm: the gradient is cut in forward (.detach(), .data, torch.no_grad() or a NumPy round trip)
# %% layer_norm
import numpy as np


def layer_norm(x, weight, bias, eps=1e-5):
    a = x.detach().numpy()
    mean = a.mean(axis=-1, keepdims=True)
    var = a.var(axis=-1, keepdims=True)
    normalised = torch.from_numpy((a - mean) / np.sqrt(var + eps))
    return normalised * weight.detach() + bias.detach()
