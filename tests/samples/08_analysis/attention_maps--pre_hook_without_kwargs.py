"""The pre-hook reads and returns the keyword arguments, but is registered without with_kwargs=True."""
# expect: test_attention_maps: a forward pre-hook that takes kwargs registered without with_kwargs=True
# %% attention_maps
def attention_maps(model, images):
    maps, handles = [], []

    def pre(module, args, kwargs):
        return args, {**kwargs, "need_weights": True, "average_attn_weights": False}

    was_training = model.training
    model.eval()
    try:
        for layer in model.encoder.layers:
            handles.append(layer.self_attention.register_forward_pre_hook(pre))
            handles.append(layer.self_attention.register_forward_hook(lambda m, a, out: maps.append(out[1])))
        with torch.no_grad():
            model(images)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return torch.stack(maps)
