"""The per-layer maps stacked along dim=1: (B, L, nh, T, T)."""
# expect: test_attention_maps: the layer and batch axes are swapped: (B, L, nh, T, T) instead of (L, B, nh, T, T)
# %% attention_maps
def attention_maps(model, images):
    maps, handles = [], []

    def pre(module, args, kwargs):
        kwargs["need_weights"] = True
        kwargs["average_attn_weights"] = False
        return args, kwargs

    was_training = model.training
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
        model.train(was_training)
    return torch.stack(maps, dim=1)
