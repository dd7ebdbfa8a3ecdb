"""Only names ending in bias skip the decay: the LayerNorm weights (1-D) are decayed."""
# expect: test_parameter_groups: 1-D weights (LayerNorm's) decayed: only parameters named bias skip the decay
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.endswith("bias") or any(k in name for k in ("cls_token", "class_token", "pos_embed")):
            no_decay.append(p)
        else:
            decay.append(p)
    return [g for g in ({"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}) if g["params"]]
