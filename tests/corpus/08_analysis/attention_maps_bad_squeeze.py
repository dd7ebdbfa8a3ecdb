"""A squeeze() "to tidy the shape": a batch of one image loses its batch axis."""
# verdict: test_attention_maps: fail: expected shape
# %% attention_maps
def attention_maps(model, images):
    maps, handles = [], []
    was_training = model.training
    model.eval()
    try:
        for layer in model.encoder.layers:
            handles.append(layer.self_attention.register_forward_pre_hook(
                lambda m, a, kw: (a, {**kw, "need_weights": True, "average_attn_weights": False}), with_kwargs=True))
            handles.append(layer.self_attention.register_forward_hook(lambda m, a, out: maps.append(out[1])))
        with torch.no_grad():
            model(images)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return torch.stack(maps).squeeze()
