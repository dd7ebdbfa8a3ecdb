"""patch_embedding_as_conv reshaping the embedding's own weight in place: right convolution, broken embedding."""
# expect: test_as_conv: patch_embedding_as_conv changed the PatchEmbedding it was given
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    embedding.proj.weight.data = embedding.proj.weight.data.reshape(D, C, P, P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight)
        conv.bias.copy_(embedding.proj.bias)
    return conv
