"""The handles removed right after registering, before the forward pass: nothing is collected."""
# verdict: test_attention_maps: fail: your code raised
# %% attention_maps
def attention_maps(model, images):
    maps = []
    was_training = model.training
    model.eval()
    for layer in model.encoder.layers:
        with torch.no_grad():
            pre = layer.self_attention.register_forward_pre_hook(
                lambda m, a, kw: (a, {**kw, "need_weights": True, "average_attn_weights": False}), with_kwargs=True)
            post = layer.self_attention.register_forward_hook(lambda m, a, out: maps.append(out[1]))
            pre.remove()
            post.remove()
    with torch.no_grad():
        model(images)
    model.train(was_training)
    return torch.stack(maps)
