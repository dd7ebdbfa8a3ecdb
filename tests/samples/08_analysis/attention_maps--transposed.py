"""The weights recomputed from ln_1's output, with the product written k @ q^T (keys on the rows)."""
# expect: test_attention_maps: the maps are transposed (keys on the rows, queries on the columns)
# %% attention_maps
def attention_maps(model, images):
    inputs, handles = [], []
    for layer in model.encoder.layers:
        handles.append(layer.ln_1.register_forward_hook(lambda m, a, out: inputs.append(out)))
    mode = model.training
    model.eval()
    with torch.no_grad():
        model(images)
    for h in handles:
        h.remove()
    model.train(mode)
    maps = []
    for layer, x in zip(model.encoder.layers, inputs):
        attn = layer.self_attention
        heads = attn.num_heads
        q, k, _ = F.linear(x, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)
        B, T, D = q.shape
        q = q.reshape(B, T, heads, D // heads).transpose(1, 2)
        k = k.reshape(B, T, heads, D // heads).transpose(1, 2)
        scores = k @ q.transpose(-1, -2) / math.sqrt(D // heads)
        maps.append(scores.softmax(dim=-2).detach())
    return torch.stack(maps)
