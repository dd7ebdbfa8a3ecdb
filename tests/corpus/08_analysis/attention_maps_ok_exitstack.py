"""Hooks held by a contextlib.ExitStack written in a helper cell; the maps collected in a dict by layer."""
# verdict: test_attention_maps: pass
# %% attention_maps
def attention_maps(model, images):
    found = {}
    with hooked(model, found), torch.no_grad():
        model(images)
    return torch.stack([found[i] for i in range(len(model.encoder.layers))])
# %% +attention_maps
import contextlib


@contextlib.contextmanager
def hooked(model, found):
    was_training = model.training
    model.eval()
    with contextlib.ExitStack() as stack:
        for i, layer in enumerate(model.encoder.layers):
            a = layer.self_attention
            pre = a.register_forward_pre_hook(
                lambda m, args, kw: (args, kw | {"need_weights": True, "average_attn_weights": False}),
                with_kwargs=True)
            post = a.register_forward_hook(lambda m, args, out, i=i: found.__setitem__(i, out[1]))
            stack.callback(pre.remove)
            stack.callback(post.remove)
        try:
            yield
        finally:
            model.train(was_training)
