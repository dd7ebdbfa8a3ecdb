"""No hooks: the forward pass walked by hand, each block's attention asked for its weights."""
# verdict: test_attention_maps: pass
# %% attention_maps
@torch.no_grad()
def attention_maps(model, images):
    mode = model.training
    model.eval()
    x = model._process_input(images)  # (B, N, D)
    x = torch.cat([model.class_token.expand(len(x), -1, -1), x], dim=1) + model.encoder.pos_embedding
    maps = []
    for block in model.encoder.layers:
        y = block.ln_1(x)
        maps.append(block.self_attention(y, y, y, need_weights=True, average_attn_weights=False)[1])
        x = block(x)
    model.train(mode)
    return torch.stack(maps, dim=0)
