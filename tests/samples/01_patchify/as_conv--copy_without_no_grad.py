"""patch_embedding_as_conv filling the convolution's parameters by slice assignment, outside torch.no_grad()."""
# expect: test_as_conv: a parameter changed in place outside torch.no_grad()
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    conv.weight[:] = embedding.proj.weight.reshape(D, C, P, P)
    conv.bias[:] = embedding.proj.bias
    return conv
