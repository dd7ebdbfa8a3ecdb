"""Only the patches kept: the class token's row and column cut off the maps."""
# expect: test_attention_maps: the class token's row and column are left out
# %% attention_maps
def attention_maps(model, images):
    maps, handles = [], []

    def pre(module, args, kwargs):
        return args, dict(kwargs, need_weights=True, average_attn_weights=False)

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
    return torch.stack(maps)[..., 1:, 1:]  # the patches only
