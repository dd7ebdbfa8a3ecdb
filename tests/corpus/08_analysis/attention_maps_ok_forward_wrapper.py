"""Each attention layer's forward temporarily replaced by a partial that asks for per-head weights."""
# verdict: test_attention_maps: pass
# %% attention_maps
import functools


def attention_maps(model, images):
    maps, patched = [], []
    training = model.training
    model.eval()

    def wrap(original):
        def forward(*args, **kwargs):
            kwargs.update(need_weights=True, average_attn_weights=False)
            out, weights = original(*args, **kwargs)
            maps.append(weights)
            return out, weights
        return forward

    try:
        for layer in model.encoder.layers:
            attention = layer.self_attention
            attention.forward = wrap(functools.partial(type(attention).forward, attention))
            patched.append(attention)
        with torch.inference_mode():
            model(images)
    finally:
        for attention in patched:
            del attention.forward
        model.train(training)
    return torch.stack(maps).clone()
