"""patch_embedding_as_conv reshaping the weight as (D, P, P, C) before moving C."""
# expect: test_as_conv: the weight was reshaped as (D, P, P, C)
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight.reshape(D, P, P, C).permute(0, 3, 1, 2))
        conv.bias.copy_(embedding.proj.bias)
    return conv
