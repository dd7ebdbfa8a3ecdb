"""Recomputed from ln_1's output, with the softmax taken over the queries (dim=-2)."""
# verdict: test_attention_maps: fail: do not sum to one
# %% attention_maps
def attention_maps(model, images):
    received, handles = [], []
    for layer in model.encoder.layers:
        handles.append(layer.ln_1.register_forward_hook(lambda module, args, out: received.append(out.detach())))
    was_training = model.training
    model.eval()
    try:
        model(images)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    maps = []
    for layer, x in zip(model.encoder.layers, received):
        a = layer.self_attention
        d = a.embed_dim // a.num_heads
        q, k, _ = F.linear(x, a.in_proj_weight, a.in_proj_bias).chunk(3, dim=-1)
        q, k = (t.unflatten(-1, (a.num_heads, d)).transpose(1, 2) for t in (q, k))
        maps.append(torch.softmax(q @ k.transpose(-2, -1) / d**0.5, dim=-2))
    return torch.stack(maps)
