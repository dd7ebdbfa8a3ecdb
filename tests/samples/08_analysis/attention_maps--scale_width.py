"""The weights recomputed from ln_1's output, the scores divided by sqrt(D) instead of sqrt(D / nh)."""
# expect: test_attention_maps: the scores were divided by sqrt(D), the model's width, instead of sqrt(d) = sqrt(D / nh)
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
        D = attn.embed_dim
        q, k, _ = F.linear(x, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)
        q = q.unflatten(-1, (attn.num_heads, -1)).transpose(1, 2)
        k = k.unflatten(-1, (attn.num_heads, -1)).transpose(1, 2)
        maps.append((q @ k.transpose(-1, -2) / D**0.5).softmax(dim=-1))
    return torch.stack(maps)
