"""The hooks are right, but the model is never put in eval mode: PatchDropout drops tokens."""
# expect: test_attention_maps: the model ran in training mode, so PatchDropout dropped patch tokens
# %% attention_maps
def attention_maps(model, images):
    maps, handles = [], []

    def pre(module, args, kwargs):
        return args, {**kwargs, "need_weights": True, "average_attn_weights": False}

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
