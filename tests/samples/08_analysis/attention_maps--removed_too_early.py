"""Each block's hooks are removed in the same loop that registers them, before the forward pass."""
# expect: test_attention_maps: no maps recorded: the hooks were removed before the forward pass ran (or never ran)
# %% attention_maps
def attention_maps(model, images):
    maps = []

    def pre(module, args, kwargs):
        return args, {**kwargs, "need_weights": True, "average_attn_weights": False}

    was_training = model.training
    model.eval()
    for layer in model.encoder.layers:
        handles = [
            layer.self_attention.register_forward_pre_hook(pre, with_kwargs=True),
            layer.self_attention.register_forward_hook(lambda m, a, out: maps.append(out[1])),
        ]
        for handle in handles:
            handle.remove()
    with torch.no_grad():
        model(images)
    model.train(was_training)
    return torch.stack(maps)
