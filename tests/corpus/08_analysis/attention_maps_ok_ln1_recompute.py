"""Hooks on ln_1 keep what attention receives; the weights are recomputed from the packed projections."""
# verdict: test_attention_maps: pass
# %% attention_maps
def attention_maps(model, images):
    received, handles = [], []
    for layer in model.encoder.layers:
        handles.append(layer.ln_1.register_forward_hook(lambda module, args, out: received.append(out)))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(images)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    maps = []
    for layer, x in zip(model.encoder.layers, received):
        attention = layer.self_attention
        heads, D = attention.num_heads, attention.embed_dim
        q, k, _ = F.linear(x, attention.in_proj_weight, attention.in_proj_bias).split(D, dim=-1)
        q = q.view(x.shape[0], -1, heads, D // heads).transpose(1, 2)  # (B, nh, T, d)
        k = k.view(x.shape[0], -1, heads, D // heads).transpose(1, 2)
        maps.append(torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(D // heads), dim=-1))
    return torch.stack(maps)
