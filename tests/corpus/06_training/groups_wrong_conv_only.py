"""p.ndim > 2: only the convolution kernel (and the 3-D embeddings) count as matrices."""
# verdict: test_parameter_groups: fail: block.self_attn.in_proj_weight (expected 0.05, got 0)
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim <= 2 or "cls_token" in name or "pos_embed" in name:
            no_decay.append(p)
        else:
            decay.append(p)
    return [g for g in ({"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0})
            if g["params"]]
