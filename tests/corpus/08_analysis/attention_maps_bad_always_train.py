"""Ends with model.train() whatever mode the model came in."""
# verdict: test_attention_maps: fail: mode was not restored
# %% attention_maps
def attention_maps(model, images):
    maps, handles = [], []
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
        model.train()
    return torch.stack(maps)
