"""patch_embedding_as_conv building Conv2d(C, D, P): kernel size P, but the default stride 1."""
# expect: test_as_conv: the convolution has stride 1: it slides over every pixel instead of jumping from patch to patch
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight.reshape(D, C, P, P))
        conv.bias.copy_(embedding.proj.bias)
    return conv
