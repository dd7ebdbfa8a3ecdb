"""model.eval() before the forward pass, and the model left in eval mode afterwards."""
# expect: test_attention_maps: the model's mode was not restored
# %% attention_maps
def attention_maps(model, images):
    maps, handles = [], []

    def pre(module, args, kwargs):
        return args, {**kwargs, "need_weights": True, "average_attn_weights": False}

    model.eval()
    try:
        for layer in model.encoder.layers:
            handles.append(layer.self_attention.register_forward_pre_hook(pre, with_kwargs=True))
            handles.append(layer.self_attention.register_forward_hook(lambda m, a, out: maps.append(out[1])))
        with torch.no_grad():
            model(images)
    finally:
        for handle in handles:
            handle.remove()
    return torch.stack(maps)
