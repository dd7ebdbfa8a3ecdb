"""The list of maps is made once, outside the function: every call adds to it."""
# expect: test_attention_maps: maps are kept between calls (the list lives outside the function), so a second call returns the first call's maps too
# %% attention_maps
collected = []


def keep(module, args, output):
    collected.append(output[1])


def ask(module, args, kwargs):
    return args, {**kwargs, "need_weights": True, "average_attn_weights": False}


def attention_maps(model, images):
    handles = []
    was_training = model.training
    model.eval()
    try:
        for layer in model.encoder.layers:
            handles.append(layer.self_attention.register_forward_pre_hook(ask, with_kwargs=True))
            handles.append(layer.self_attention.register_forward_hook(keep))
        with torch.no_grad():
            model(images)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return torch.stack(collected)
