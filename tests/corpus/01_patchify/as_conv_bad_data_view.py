"""weight.data set to a view of the linear weight (no clone): the two layers share memory."""
# verdict: test_as_conv: fail: shares memory
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    conv.weight.data = embedding.proj.weight.data.view(D, C, P, P)
    conv.bias.data = embedding.proj.bias.data.clone()
    return conv
