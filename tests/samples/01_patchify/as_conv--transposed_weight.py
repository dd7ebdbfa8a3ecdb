"""patch_embedding_as_conv reshaping the transposed Linear weight into the kernel."""
# expect: test_as_conv: the weight was transposed before the reshape
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight.t().reshape(D, C, P, P))
        conv.bias.copy_(embedding.proj.bias)
    return conv
