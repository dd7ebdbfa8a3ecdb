"""Only parameters named ...bias skip the decay: LayerNorm weights are decayed."""
# verdict: test_parameter_groups: fail: norm.weight (expected 0, got 0.05)
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.endswith("bias") or "cls_token" in name or "pos_embed" in name:
            no_decay.append(p)
        else:
            decay.append(p)
    return [g for g in ({"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0})
            if g["params"]]
