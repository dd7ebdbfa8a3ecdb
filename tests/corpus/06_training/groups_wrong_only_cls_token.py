"""Keeps the decay off the class token but forgets the positional embedding."""
# verdict: test_parameter_groups: fail: pos_embed (expected 0, got 0.05)
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim < 2 or "cls_token" in name else decay).append(p)
    return [g for g in ({"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0})
            if g["params"]]
