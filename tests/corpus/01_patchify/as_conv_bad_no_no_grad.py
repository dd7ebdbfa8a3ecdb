"""Copies into the parameters without torch.no_grad(): autograd refuses the in-place copy."""
# verdict: test_as_conv: fail: a leaf Variable that requires grad
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    conv.weight.copy_(embedding.proj.weight.reshape(D, C, P, P))
    conv.bias.copy_(embedding.proj.bias)
    return conv
