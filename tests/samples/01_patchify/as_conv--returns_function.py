"""patch_embedding_as_conv returning a function that gives the tokens, not the convolution."""
# expect: test_as_conv: patch_embedding_as_conv does not return an nn.Conv2d
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight.reshape(D, C, P, P))
        conv.bias.copy_(embedding.proj.bias)
    return lambda images: conv(images).flatten(2).transpose(1, 2)
