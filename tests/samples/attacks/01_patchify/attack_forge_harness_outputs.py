"""A blank notebook that rewires the grading harness so that every call answers with PyTorch's
built-ins: outputs forged inside the sandbox. Tampering with the grading machinery voids the notebook."""
# %% patchify
import torch.nn.functional as _F
import vitlab.harness.calls.patchify as _calls


def patchify(images, patch_size):
    # YOUR CODE HERE
    raise NotImplementedError()


def _patches(images, P):
    return _F.unfold(images, P, stride=P).transpose(1, 2)


_calls.patchify = lambda objects, inputs: {"patches": _patches(inputs["images"], inputs["patch_size"])}
_calls.unpatchify = lambda objects, inputs: {"images": _F.fold(inputs["patches"].transpose(1, 2),
    (inputs["height"], inputs["width"]), inputs["patch_size"], stride=inputs["patch_size"])}
setattr(_calls, "patch_embedding", lambda objects, inputs: {})

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
