"""patch_embedding_as_conv assigning cloned tensors to weight.data and bias.data under no_grad."""
# verdict: test_as_conv: pass
# %% as_conv
def patch_embedding_as_conv(embedding):
    linear = embedding.proj
    P = embedding.patch_size
    C = linear.in_features // (P * P)
    conv = nn.Conv2d(C, linear.out_features, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight.data = linear.weight.data.reshape(linear.out_features, C, P, P).clone()
        conv.bias.data = linear.bias.data.clone()
    return conv
