"""The weights recomputed from ln_1's output, softmax(q k^T) without dividing by sqrt(d)."""
# expect: test_attention_maps: the scores were not divided by sqrt(d) before the softmax
# %% attention_maps
def attention_maps(model, images):
    inputs, handles = [], []
    for layer in model.encoder.layers:
        handles.append(layer.ln_1.register_forward_hook(lambda m, a, out: inputs.append(out.detach())))
    mode = model.training
    model.eval()
    try:
        model(images)
    finally:
        for h in handles:
            h.remove()
        model.train(mode)
    maps = []
    for layer, x in zip(model.encoder.layers, inputs):
        attn = layer.self_attention
        q, k, _ = F.linear(x, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)
        q = q.unflatten(-1, (attn.num_heads, -1)).transpose(1, 2)  # (B, nh, T, d)
        k = k.unflatten(-1, (attn.num_heads, -1)).transpose(1, 2)
        maps.append((q @ k.transpose(-1, -2)).softmax(dim=-1))
    return torch.stack(maps)
