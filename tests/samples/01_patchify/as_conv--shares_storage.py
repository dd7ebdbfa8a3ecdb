"""The Conv2d's weight is a view of the Linear layer's weight (no copy): right outputs, shared memory."""
# expect: test_as_conv: the Conv2d's weight shares memory with the Linear layer's weight
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    conv.weight = nn.Parameter(embedding.proj.weight.view(D, C, P, P))
    conv.bias = embedding.proj.bias
    return conv
