"""A layer_norm with x.std() (unbiased) and eps inside the square root of its square."""
# verdict: test_layer_norm: fail: unbiased
# %% layer_norm
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    std = x.std(-1, keepdim=True)
    return (x - mean) / torch.sqrt(std ** 2 + eps) * weight + bias
