"""patch_embedding_as_conv loading a state dict built from the linear layer's tensors."""
# verdict: test_as_conv: pass
# %% as_conv
def patch_embedding_as_conv(embedding):
    D, K = embedding.proj.weight.shape
    P = embedding.patch_size
    C = K // P ** 2
    conv = nn.Conv2d(in_channels=C, out_channels=D, kernel_size=(P, P), stride=(P, P))
    conv.load_state_dict({"weight": embedding.proj.weight.detach().unflatten(1, (C, P, P)),
                          "bias": embedding.proj.bias.detach()})
    return conv
