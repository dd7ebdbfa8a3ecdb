"""patch_embedding_as_conv replacing the convolution's parameters by new ones holding copies."""
# verdict: test_as_conv: pass
# %% as_conv
def patch_embedding_as_conv(embedding):
    weight, bias = embedding.proj.weight, embedding.proj.bias
    P = embedding.patch_size
    D = weight.shape[0]
    C = weight.shape[1] // (P * P)
    conv = nn.Conv2d(C, D, P, P)
    conv.weight = nn.Parameter(weight.detach().clone().view(D, C, P, P))
    conv.bias = nn.Parameter(bias.detach().clone())
    return conv
