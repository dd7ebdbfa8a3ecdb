"""Hooks that ask for the weights with need_weights=True only: MultiheadAttention averages the heads."""
# expect: test_attention_maps: the heads are averaged (MultiheadAttention's default average_attn_weights=True)
# %% attention_maps
def attention_maps(model, images):
    maps, handles = [], []
    was_training = model.training
    model.eval()
    for layer in model.encoder.layers:
        attention = layer.self_attention
        handles.append(attention.register_forward_pre_hook(
            lambda m, args, kwargs: (args, {**kwargs, "need_weights": True}), with_kwargs=True))
        handles.append(attention.register_forward_hook(lambda m, args, out: maps.append(out[1])))
    with torch.no_grad():
        model(images)
    for handle in handles:
        handle.remove()
    model.train(was_training)
    return torch.stack(maps)
