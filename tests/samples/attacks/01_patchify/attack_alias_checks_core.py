"""A blank notebook whose first answer cell rewires the checks library through an alias (the attack
that forged 13-14 checks on the landed main): the sandbox has no checks library to rewire."""
# %% patchify
def patchify(images, patch_size):
    # YOUR CODE HERE
    raise NotImplementedError()


try:
    import vitlab.checks.core as zz

    zz.Exercise.verdict = lambda self, case, inputs, outcome, **kw: zz.Verdict(True, "forged")
except ImportError:
    pass

# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    # YOUR CODE HERE
    raise NotImplementedError()
# %% patch_embedding
class PatchEmbedding(nn.Module):
    def __init__(self, in_channels, patch_size, dim):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, images):
        # YOUR CODE HERE
        raise NotImplementedError()
# %% as_conv
def patch_embedding_as_conv(embedding):
    # YOUR CODE HERE
    raise NotImplementedError()
