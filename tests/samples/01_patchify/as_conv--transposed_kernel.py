"""patch_embedding_as_conv transposing each kernel's rows and columns."""
# expect: test_as_conv: the kernel's rows and columns are swapped
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight.reshape(D, C, P, P).transpose(2, 3))
        conv.bias.copy_(embedding.proj.bias)
    return conv
