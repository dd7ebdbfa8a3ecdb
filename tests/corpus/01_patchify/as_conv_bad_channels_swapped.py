"""Conv2d(D, C, ...): in and out channels swapped."""
# verdict: test_as_conv: fail: your code raised RuntimeError
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(D, C, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight.reshape(D, C, P, P))
        conv.bias.copy_(embedding.proj.bias)
    return conv
