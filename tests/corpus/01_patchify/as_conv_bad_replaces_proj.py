"""Converts the embedding in place: its proj becomes the new convolution, so the embedding no longer works."""
# verdict: test_as_conv: fail: changed the PatchEmbedding
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight.reshape(D, C, P, P))
        conv.bias.copy_(embedding.proj.bias)
    embedding.proj = conv
    return conv
