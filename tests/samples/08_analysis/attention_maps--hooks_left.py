"""The hooks are registered and never removed."""
# expect: test_attention_maps: hooks (or replaced forward methods) were left on the model
# %% attention_maps
def attention_maps(model, images):
    maps = []

    def pre(module, args, kwargs):
        return args, {**kwargs, "need_weights": True, "average_attn_weights": False}

    was_training = model.training
    model.eval()
    for layer in model.encoder.layers:
        layer.self_attention.register_forward_pre_hook(pre, with_kwargs=True)
        layer.self_attention.register_forward_hook(lambda m, a, out: maps.append(out[1]))
    with torch.no_grad():
        model(images)
    model.train(was_training)
    return torch.stack(maps)
