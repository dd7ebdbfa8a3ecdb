"""A pre-hook returning (args, kwargs) registered without with_kwargs=True: the call breaks."""
# verdict: test_attention_maps: fail: your code raised
# %% attention_maps
def attention_maps(model, images):
    maps, handles = [], []
    was_training = model.training
    model.eval()
    try:
        for layer in model.encoder.layers:
            handles.append(layer.self_attention.register_forward_pre_hook(
                lambda m, args, kwargs: (args, {**kwargs, "need_weights": True, "average_attn_weights": False})))
            handles.append(layer.self_attention.register_forward_hook(lambda m, a, out: maps.append(out[1])))
        with torch.no_grad():
            model(images)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return torch.stack(maps)
