"""The weights recomputed from each block's input, forgetting the LayerNorm ln_1 in front of attention."""
# expect: test_attention_maps: the maps were computed from the block's input, before its LayerNorm ln_1
# %% attention_maps
def attention_maps(model, images):
    inputs, handles = [], []
    for layer in model.encoder.layers:
        handles.append(layer.register_forward_pre_hook(lambda m, args: inputs.append(args[0].detach())))
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
        _, weights = layer.self_attention(x, x, x, need_weights=True, average_attn_weights=False)
        maps.append(weights.detach())
    return torch.stack(maps)
