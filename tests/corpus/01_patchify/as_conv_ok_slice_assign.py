"""patch_embedding_as_conv filling the parameters by slice assignment under no_grad, C from a helper."""
# verdict: test_as_conv: pass
# %% as_conv
def patch_embedding_as_conv(embedding):
    C, P, D = embedding_sizes(embedding)
    conv = nn.Conv2d(C, D, kernel_size=P, stride=P)
    with torch.no_grad():
        conv.weight[:] = embedding.proj.weight.view(D, C, P, P)
        conv.bias[:] = embedding.proj.bias
    return conv
# %% +as_conv
def embedding_sizes(embedding):
    """(C, P, D) of a PatchEmbedding."""
    P = embedding.patch_size
    return embedding.proj.in_features // (P * P), P, embedding.proj.out_features
