"""The convolution is built without stride=P: it slides one pixel at a time."""
# verdict: test_as_conv: fail: stride 1
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight.reshape(D, C, P, P))
        conv.bias.copy_(embedding.proj.bias)
    return conv
