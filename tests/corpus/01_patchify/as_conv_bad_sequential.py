"""Returns the convolution and a Flatten in an nn.Sequential (tokens, not the Conv2d asked for)."""
# verdict: test_as_conv: fail: does not return an nn.Conv2d
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // (P * P)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight.copy_(embedding.proj.weight.reshape(D, C, P, P))
        conv.bias.copy_(embedding.proj.bias)
    return nn.Sequential(conv, nn.Flatten(2))
